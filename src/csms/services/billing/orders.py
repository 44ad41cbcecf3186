"""Orders: what each transaction costs, from its start to its payment (docs/billing.md).

* StartTransaction opens the order with the tariff version current at the start.
* Each MeterValues updates the running cost (``running.py``), published as
  ``order.updated``; when it reaches the session's pre-payment limit, csms sends
  RemoteStopTransaction once, from :meth:`OrderService.run`'s task (never from inside the
  station's own call).
* StopTransaction prices the order (Open -> Priced, once) and debits the driver's wallet
  (Priced -> Paid, once: the ledger's idempotency key ``order:<id>:charge``). A
  retransmitted or late StopTransaction finds the order priced and the debit made.
* :meth:`reconcile` (at start and periodically) finishes what a crash interrupted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any

import structlog

from csms.domain import MeterSample, StatusEvent, Transaction, TransactionState
from csms.domain.billing import Order, OrderState, Priced, TariffSpec
from csms.services.billing.pricing import price
from csms.services.billing.running import RunningCosts
from csms.services.billing.tariffs import TariffService
from csms.services.billing.usage import usage_of
from csms.services.billing.wallets import WalletService
from csms.services.clock import Clock
from csms.services.events import EventBus, EventType
from csms.storage import MeterValueStore, StatusStore, TransactionStore
from csms.storage.billing import NewOrder, OrderFilter, OrderStore

_log = structlog.get_logger(__name__)

RemoteStop = Callable[[str, int], Awaitable[str]]
"""Send RemoteStopTransaction(transaction id) to a station; returns its status."""


class OrderNotFound(LookupError):
    pass


class OrderStateError(ValueError):
    """The order is not in a state that allows this (e.g. refunding an unpaid order)."""


class OrderService:
    def __init__(
        self,
        orders: OrderStore,
        transactions: TransactionStore,
        meter_values: MeterValueStore,
        statuses: StatusStore,
        tariffs: TariffService,
        wallets: WalletService,
        clock: Clock,
        *,
        events: EventBus | None = None,
        default_currency: str = "EUR",
        persist_every: float = 30.0,
    ) -> None:
        self._orders = orders
        self._transactions = transactions
        self._meter_values = meter_values
        self._statuses = statuses
        self._tariffs = tariffs
        self._wallets = wallets
        self._clock = clock
        self._events = events
        self._currency = default_currency
        self._running = RunningCosts(
            orders, transactions, meter_values, tariffs, clock, events, persist_every
        )
        self._remote_stop: RemoteStop | None = None

    def bind_remote_stop(self, remote_stop: RemoteStop) -> None:
        self._remote_stop = remote_stop

    # -- transaction hooks ------------------------------------------------------------------

    async def started(self, transaction: Transaction) -> Order:
        """Open the transaction's order (idempotent) with the tariff that applies."""
        driver = await self._wallets.driver_of(transaction.id_tag)
        version = await self._tariffs.resolve(
            transaction.station_id, transaction.id_tag, driver, transaction.started_at
        )
        new = NewOrder(
            transaction_id=transaction.id,
            station_id=transaction.station_id,
            connector_id=transaction.evse_id,
            id_tag=transaction.id_tag,
            driver_id=driver.id if driver else None,
            tariff_version_id=version.id if version else None,
            currency=version.spec.currency if version else self._currency,
            started_at=transaction.started_at,
            created_at=self._clock.now(),
            max_amount=driver.session_limit if driver and version else None,
        )
        order, created = await self._orders.open(new)
        if created:
            self._publish(order)
        return order

    async def updated(self, samples: Sequence[MeterSample]) -> None:
        """New meter values: update the running cost of their open orders."""
        await self._running.updated(samples)

    async def finish(self, transaction: Transaction) -> Order | None:
        """Price a stopped transaction and settle it; idempotent. None for a stop csms
        never saw start (nothing to price)."""
        self._running.forget(transaction.id)
        if transaction.station_stop_unknown or transaction.state is not TransactionState.STOPPED:
            return None
        order = await self._orders.by_transaction(transaction.id) or await self.started(transaction)
        if order.state is OrderState.OPEN:
            assert transaction.stopped_at is not None
            priced = await self._final_price(order, transaction)
            order, first = await self._orders.price(
                order.id, priced, transaction.stopped_at, self._clock.now()
            )
            if first:
                self._publish(order)
        return await self.settle(order)

    async def settle(self, order: Order) -> Order:
        """Debit a priced order from its driver's wallet (once) and mark it paid."""
        if order.state is not OrderState.PRICED or order.driver_id is None:
            return order
        if order.total and await self._wallets.debit_order(order) is None:
            return order  # no wallet in the order's currency: paid some other way
        order, moved = await self._orders.transition(
            order.id, OrderState.PRICED, OrderState.PAID, self._clock.now()
        )
        if moved:
            self._publish(order)
        return order

    # -- queries and operator actions --------------------------------------------------------

    async def get(self, order_id: int) -> Order:
        """The order, with the latest running cost while it is open."""
        order = await self._orders.get(order_id)
        if order is None:
            raise OrderNotFound(f"no order {order_id}")
        return self._running.live(order)

    async def by_transaction(self, transaction_id: int) -> Order | None:
        order = await self._orders.by_transaction(transaction_id)
        return None if order is None else self._running.live(order)

    async def search(self, flt: OrderFilter) -> list[Order]:
        return [self._running.live(order) for order in await self._orders.search(flt)]

    async def meter_values(self, order: Order) -> tuple[int | None, list[MeterSample]]:
        """The meterStart (Wh) and the meter values, oldest first, of the order's
        transaction (chart data)."""
        transaction = await self._transactions.get(order.transaction_id)
        samples = await self._meter_values.for_transaction(order.transaction_id)
        return (transaction.meter_start if transaction else None), samples

    async def set_limit(self, order_id: int, max_amount: Decimal | None) -> Order:
        """Change the pre-payment limit of an open order."""
        order = await self.get(order_id)
        if order.state is not OrderState.OPEN:
            raise OrderStateError(f"order {order_id} is {order.state.value}, not open")
        order = await self._orders.set_max_amount(order_id, max_amount)
        await self._running.limit_changed(order)
        return self._running.live(order)

    async def refund(self, order_id: int, note: str = "") -> Order:
        """Credit a paid order's total back to the wallet (once) and mark it refunded."""
        order = await self.get(order_id)
        if order.state is not OrderState.PAID:
            raise OrderStateError(f"order {order_id} is {order.state.value}; only paid orders are refunded")
        await self._wallets.refund_order(order, note)
        order, moved = await self._orders.transition(
            order.id, OrderState.PAID, OrderState.REFUNDED, self._clock.now()
        )
        if moved:
            self._publish(order)
        return order

    # -- background work --------------------------------------------------------------------

    async def run(self, reconcile_every: float = 60.0, stop_retries: int = 3) -> None:
        """Send the remote stops of sessions over their limit, and reconcile periodically."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._reconcile_periodically(reconcile_every))
            while True:
                station_id, transaction_id = await self._running.stops.get()
                group.create_task(self._stop(station_id, transaction_id, stop_retries))

    async def reconcile(self, limit: int = 500) -> int:
        """Finish Open orders whose transaction has stopped and settle Priced ones (after a
        crash between the steps); returns how many orders changed."""
        changed = 0
        for order in await self._orders.search(OrderFilter(state=OrderState.OPEN, limit=limit)):
            transaction = await self._transactions.get(order.transaction_id)
            if transaction is not None and transaction.state is TransactionState.STOPPED:
                changed += (await self.finish(transaction)) != order
        for order in await self._orders.search(OrderFilter(state=OrderState.PRICED, limit=limit)):
            changed += (await self.settle(order)) != order
        return changed

    # -- internals --------------------------------------------------------------------------

    async def _stop(self, station_id: str, transaction_id: int, retries: int) -> None:
        for attempt in range(1, retries + 1):
            try:
                if self._remote_stop is None:
                    raise RuntimeError("no remote stop bound to the order service")
                status = await self._remote_stop(station_id, transaction_id)
                _log.info("order.remote_stop", transaction_id=transaction_id, status=status)
                return
            except Exception as error:
                _log.warning("order.remote_stop_failed", transaction_id=transaction_id,
                             attempt=attempt, error=repr(error))  # fmt: skip
                await asyncio.sleep(5.0 * attempt)

    async def _reconcile_periodically(self, every: float) -> None:
        while True:
            try:
                await self.reconcile()
            except Exception as error:
                _log.error("order.reconcile_failed", error=repr(error))
            await asyncio.sleep(every)

    async def _final_price(self, order: Order, transaction: Transaction) -> Priced:
        version = (
            await self._tariffs.version(order.tariff_version_id)
            if order.tariff_version_id is not None
            else None
        )
        spec = version.spec if version is not None else TariffSpec(order.currency)
        assert transaction.stopped_at is not None
        assert transaction.meter_stop is not None
        usage = usage_of(
            transaction.started_at,
            Decimal(transaction.meter_start),
            transaction.stopped_at,
            Decimal(transaction.meter_stop),
            await self._meter_values.for_transaction(transaction.id),
            await self._connector_statuses(transaction),
        )
        return price(spec, usage)

    async def _connector_statuses(self, transaction: Transaction) -> list[StatusEvent]:
        history = await self._statuses.history(transaction.station_id, limit=1000)
        end = transaction.stopped_at or self._clock.now()
        return [
            event
            for event in history
            if (event.evse_id, event.connector_id) == (transaction.evse_id, transaction.connector_id)
            and transaction.started_at <= (event.timestamp or event.received_at) <= end
        ]

    def _publish(self, order: Order) -> None:
        if self._events is not None:
            self._events.publish(EventType.ORDER_UPDATED, order.station_id, order_event(order))


def order_event(order: Order) -> dict[str, Any]:
    """The JSON-ready payload of an ``order.updated`` event."""
    return {
        "order_id": order.id,
        "transaction_id": order.transaction_id,
        "state": order.state.value,
        "currency": order.currency,
        "running_cost": str(order.running_cost),
        "energy_kwh": str(order.energy_kwh),
        "max_amount": None if order.max_amount is None else str(order.max_amount),
        "total": None if order.total is None else str(order.total),
    }

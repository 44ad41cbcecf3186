"""The running cost of open orders, kept in memory so that a MeterValues costs no query.

Per open order: its tariff, its start, and the samples the estimate needs (energy register
and power, whole-meter). The first MeterValues of a transaction in this process loads them
(a restart mid-session loses nothing); later ones only append. The estimate is the price
the session would have if it stopped at its newest reading (idle fees, minimum and tax
included).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import structlog

from csms.domain import MeterSample
from csms.domain.billing import ZERO, Order, OrderState, Priced, TariffSpec
from csms.services.billing.pricing import price
from csms.services.billing.tariffs import TariffService
from csms.services.billing.usage import ENERGY, POWER, usage_of
from csms.services.clock import Clock
from csms.services.events import EventBus, EventType
from csms.storage import MeterValueStore, TransactionStore
from csms.storage.billing import OrderStore

_log = structlog.get_logger(__name__)

_KEPT = frozenset({ENERGY, POWER})
MAX_SESSIONS = 100_000  # open orders remembered (the oldest is forgotten beyond)


@dataclass
class RunningSession:
    order_id: int
    transaction_id: int
    station_id: str
    currency: str
    spec: TariffSpec | None
    started_at: datetime
    meter_start: Decimal
    max_amount: Decimal | None
    stop_requested: bool
    samples: list[MeterSample] = field(default_factory=list)
    cost: Decimal = ZERO
    energy_wh: Decimal = ZERO
    persisted_at: float | None = None  # monotonic seconds of the last write to the store

    def add(self, samples: Iterable[MeterSample]) -> None:
        self.samples.extend(s for s in samples if s.measurand in _KEPT and s.phase is None)

    def estimate(self) -> Priced | None:
        """The price if the session stopped at its newest reading (None: no tariff)."""
        if self.spec is None or not self.samples:
            return None
        newest = max(sample.timestamp for sample in self.samples)
        usage = usage_of(self.started_at, self.meter_start, newest, None, self.samples)
        return price(self.spec, usage)

    @property
    def over_limit(self) -> bool:
        return self.max_amount is not None and self.cost >= self.max_amount


class RunningSessions:
    """transaction id -> its RunningSession, or None for a transaction without an open order."""

    def __init__(self, capacity: int = MAX_SESSIONS) -> None:
        self._capacity = capacity
        self._sessions: dict[int, RunningSession | None] = {}

    def __contains__(self, transaction_id: int) -> bool:
        return transaction_id in self._sessions

    def get(self, transaction_id: int) -> RunningSession | None:
        return self._sessions.get(transaction_id)

    def put(self, transaction_id: int, session: RunningSession | None) -> None:
        if len(self._sessions) >= self._capacity:
            del self._sessions[next(iter(self._sessions))]
        self._sessions[transaction_id] = session

    def pop(self, transaction_id: int) -> RunningSession | None:
        return self._sessions.pop(transaction_id, None)


class RunningCosts:
    """Keeps the running cost of open orders: estimated at each MeterValues, published as
    ``order.updated``, written to the store at most every ``persist_every`` seconds, and
    checked against the session's pre-payment limit (over it: queued on :attr:`stops`)."""

    def __init__(
        self,
        orders: OrderStore,
        transactions: TransactionStore,
        meter_values: MeterValueStore,
        tariffs: TariffService,
        clock: Clock,
        events: EventBus | None,
        persist_every: float,
    ) -> None:
        self._orders = orders
        self._transactions = transactions
        self._meter_values = meter_values
        self._tariffs = tariffs
        self._clock = clock
        self._events = events
        self._persist_every = persist_every
        self._sessions = RunningSessions()
        self.stops: asyncio.Queue[tuple[str, int]] = asyncio.Queue()

    async def updated(self, samples: Sequence[MeterSample]) -> None:
        by_transaction: dict[int, list[MeterSample]] = {}
        for sample in samples:
            if sample.transaction_id is not None:
                by_transaction.setdefault(sample.transaction_id, []).append(sample)
        for transaction_id, found in by_transaction.items():
            session = await self._session(transaction_id, found)
            if session is not None:
                await self._estimate(session)

    def forget(self, transaction_id: int) -> None:
        """The transaction stopped: its running cost is no longer needed."""
        self._sessions.pop(transaction_id)

    def live(self, order: Order) -> Order:
        """``order`` with its latest running cost while it is open."""
        session = self._sessions.get(order.transaction_id)
        if order.state is not OrderState.OPEN or session is None:
            return order
        return replace(order, running_cost=session.cost, energy_wh=session.energy_wh)

    async def limit_changed(self, order: Order) -> None:
        session = self._sessions.get(order.transaction_id)
        if session is not None:
            session.max_amount = order.max_amount
            await self._check_limit(session)

    async def _session(
        self, transaction_id: int, samples: list[MeterSample]
    ) -> RunningSession | None:
        if transaction_id in self._sessions:
            session = self._sessions.get(transaction_id)
            if session is not None and session.spec is not None:
                session.add(samples)
            return session
        session = await self._load(transaction_id)
        self._sessions.put(transaction_id, session)
        return session

    async def _load(self, transaction_id: int) -> RunningSession | None:
        order = await self._orders.by_transaction(transaction_id)
        transaction = await self._transactions.get(transaction_id)
        if order is None or transaction is None or order.state is not OrderState.OPEN:
            return None
        version = (
            await self._tariffs.version(order.tariff_version_id)
            if order.tariff_version_id is not None
            else None
        )
        session = RunningSession(
            order.id, transaction_id, order.station_id, order.currency,
            version.spec if version else None, transaction.started_at,
            Decimal(transaction.meter_start), order.max_amount, order.stop_requested,
        )  # fmt: skip
        if session.spec is not None:  # everything stored so far, this report included
            session.add(await self._meter_values.for_transaction(transaction_id))
        return session

    async def _estimate(self, session: RunningSession) -> None:
        priced = session.estimate()
        if priced is None or (priced.total, priced.energy_wh) == (session.cost, session.energy_wh):
            return
        session.cost, session.energy_wh = priced.total, priced.energy_wh
        self._publish(session, priced)
        now = self._clock.monotonic()
        if session.persisted_at is None or now - session.persisted_at >= self._persist_every:
            session.persisted_at = now
            await self._orders.set_running(session.order_id, priced.total, priced.energy_wh)
        await self._check_limit(session)

    async def _check_limit(self, session: RunningSession) -> None:
        if not session.over_limit or session.stop_requested:
            return
        session.stop_requested = True
        if await self._orders.mark_stop_requested(session.order_id):
            _log.info("order.limit_reached", order_id=session.order_id, cost=str(session.cost),
                      limit=str(session.max_amount), transaction_id=session.transaction_id)  # fmt: skip
            self.stops.put_nowait((session.station_id, session.transaction_id))

    def _publish(self, session: RunningSession, priced: Priced) -> None:
        if self._events is not None:
            self._events.publish(EventType.ORDER_UPDATED, session.station_id, running_event(session, priced))


def running_event(session: RunningSession, priced: Priced) -> dict[str, Any]:
    return {
        "order_id": session.order_id,
        "transaction_id": session.transaction_id,
        "state": OrderState.OPEN.value,
        "currency": session.currency,
        "running_cost": str(priced.total),
        "energy_kwh": str(priced.energy_wh / 1000),
        "max_amount": None if session.max_amount is None else str(session.max_amount),
    }

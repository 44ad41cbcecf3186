"""Drivers and their wallets. Every movement of money is an immutable ledger entry and the
balance is their sum; an idempotency key on each automatic movement (``order:42:charge``,
``payment:test:pay_1``) makes retries and races move money once.

A driver owns the id tags whose ``owner`` is the driver's id. Charging with a tag whose
driver holds less than the minimum balance is refused (:meth:`WalletService.can_start`,
used by authorization: Authorize, StartTransaction and remote start).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from csms.domain import IdTag
from csms.domain.billing import (
    Driver,
    EntryKind,
    LedgerEntry,
    NewLedgerEntry,
    Order,
    checked_currency,
    round_money,
)
from csms.services.billing.payments import PaymentProvider, PaymentProviders, PaymentStatus
from csms.services.clock import Clock
from csms.storage import IdTagStore
from csms.storage.billing import DriverStore, LedgerStore


class DriverNotFound(LookupError):
    pass


class WalletError(ValueError):
    """A movement that cannot be made (bad amount, other currency, unknown provider)."""


class PaymentDeclined(WalletError):
    pass


class InsufficientBalance(WalletError):
    pass


@dataclass(frozen=True, slots=True)
class Wallet:
    driver_id: str
    currency: str
    balance: Decimal
    minimum_balance: Decimal


class WalletService:
    def __init__(
        self,
        drivers: DriverStore,
        ledger: LedgerStore,
        tags: IdTagStore,
        clock: Clock,
        *,
        minimum_balance: Decimal = Decimal(0),
        providers: PaymentProviders | None = None,
    ) -> None:
        self._drivers = drivers
        self._ledger = ledger
        self._tags = tags
        self._clock = clock
        self._minimum = minimum_balance
        self._providers = dict(providers or {})

    # -- drivers ---------------------------------------------------------------------------

    async def add_driver(self, driver: Driver) -> Driver:
        """Raises DriverExists; ``created_at`` is set now."""
        checked_currency(driver.currency)
        return await self._drivers.add(replace(driver, created_at=self._clock.now()))

    async def driver(self, driver_id: str) -> Driver:
        driver = await self._drivers.get(driver_id)
        if driver is None:
            raise DriverNotFound(f"no driver {driver_id}")
        return driver

    async def drivers(self, limit: int = 100, offset: int = 0) -> list[Driver]:
        return await self._drivers.all(limit, offset)

    async def update_driver(self, driver: Driver) -> Driver:
        try:
            return await self._drivers.update(driver)
        except KeyError:
            raise DriverNotFound(f"no driver {driver.id}") from None

    async def driver_of(self, id_tag: str | None) -> Driver | None:
        """The driver who owns ``id_tag`` (None: no such tag, owner or driver)."""
        tag = await self._tags.get(id_tag) if id_tag else None
        if tag is None or tag.owner is None:
            return None
        return await self._drivers.get(tag.owner)

    # -- wallet ----------------------------------------------------------------------------

    async def wallet(self, driver_id: str) -> Wallet:
        driver = await self.driver(driver_id)
        balance = await self._ledger.balance(driver.id, driver.currency)
        return Wallet(driver.id, driver.currency, balance, round_money(self._minimum, driver.currency))

    async def ledger(self, driver_id: str, limit: int = 100, offset: int = 0) -> list[LedgerEntry]:
        await self.driver(driver_id)
        return await self._ledger.entries(driver_id, limit, offset)

    async def can_start(self, id_tag: str) -> tuple[bool, str | None]:
        """Whether the wallet behind ``id_tag`` allows a new session, and why not.
        Tags without a driver are not limited by a wallet."""
        tag = await self._tags.get(id_tag)
        return (True, None) if tag is None else await self.allows(tag)

    async def allows(self, tag: IdTag) -> tuple[bool, str | None]:
        """:meth:`can_start` for a tag already read (the authorization service's gate);
        a tag without an owner costs no query."""
        driver = await self._drivers.get(tag.owner) if tag.owner is not None else None
        return (True, None) if driver is None else await self.check(driver)

    async def check(self, driver: Driver) -> tuple[bool, str | None]:
        """Whether the driver's wallet allows a new session, and why not."""
        balance = await self._ledger.balance(driver.id, driver.currency)
        if balance < self._minimum:
            return False, (
                f"the wallet of driver {driver.id} holds {balance} {driver.currency}, below "
                f"the {round_money(self._minimum, driver.currency)} {driver.currency} "
                "needed to start charging: top it up first"
            )
        return True, None

    async def top_up(
        self, driver_id: str, amount: Decimal, *, note: str = "", idempotency_key: str | None = None
    ) -> tuple[LedgerEntry, bool]:
        """Money an operator received (cash, bank transfer): a TOP_UP entry."""
        driver = await self.driver(driver_id)
        return await self._append(driver, EntryKind.TOP_UP, self._positive(amount, driver),
                                  note=note, key=idempotency_key)  # fmt: skip

    async def adjust(self, driver_id: str, amount: Decimal, *, note: str) -> LedgerEntry:
        """A correction by an operator, either sign."""
        driver = await self.driver(driver_id)
        entry, _ = await self._append(driver, EntryKind.ADJUSTMENT, self._money(amount, driver), note=note)
        return entry

    async def pay_in(
        self, driver_id: str, amount: Decimal, *, provider: str, token: str, idempotency_key: str
    ) -> tuple[LedgerEntry, bool]:
        """A top-up paid through a payment provider. The same ``idempotency_key`` never
        charges twice. Raises PaymentDeclined / PaymentError / WalletError."""
        driver = await self.driver(driver_id)
        amount = self._positive(amount, driver)
        payments = self._provider(provider)
        key = f"top-up:{driver.id}:{idempotency_key}"
        payment = await payments.charge(amount, driver.currency, token, key)
        if payment.status is not PaymentStatus.SUCCEEDED:
            raise PaymentDeclined(payment.reason or "the payment was declined")
        return await self._append(driver, EntryKind.TOP_UP, amount, key=f"payment:{provider}:{payment.id}",
                                  reference=payment.id, note=f"paid through {provider}")  # fmt: skip

    async def payout(
        self, driver_id: str, amount: Decimal, *, provider: str, payment_id: str, idempotency_key: str
    ) -> tuple[LedgerEntry, bool]:
        """Pay balance back to the card of an earlier payment: a PAYOUT entry (negative)."""
        driver = await self.driver(driver_id)
        amount = self._positive(amount, driver)
        balance = await self._ledger.balance(driver.id, driver.currency)
        if amount > balance:
            raise InsufficientBalance(f"the wallet holds {balance} {driver.currency}, less than {amount}")
        key = f"payout:{driver.id}:{idempotency_key}"
        refund = await self._provider(provider).refund(payment_id, amount, driver.currency, key)
        if refund.status is not PaymentStatus.SUCCEEDED:
            raise PaymentDeclined(refund.reason or "the refund was declined")
        return await self._append(driver, EntryKind.PAYOUT, -amount, key=f"refund:{provider}:{refund.id}",
                                  reference=refund.id, note=f"paid back through {provider}")  # fmt: skip

    async def debit_order(self, order: Order) -> LedgerEntry | None:
        """Debit a priced order's total once (key ``order:<id>:charge``); None when the
        order has no driver, nothing to pay, or another currency than the wallet."""
        driver = await self._drivers.get(order.driver_id) if order.driver_id else None
        if driver is None or not order.total or driver.currency != order.currency:
            return None
        entry, _ = await self._append(driver, EntryKind.CHARGE, -order.total, key=f"order:{order.id}:charge",
                                      order_id=order.id, note=f"order {order.id}")  # fmt: skip
        return entry

    async def refund_order(self, order: Order, note: str = "") -> LedgerEntry | None:
        """Credit a paid order's total back once (key ``order:<id>:refund``)."""
        charged = await self._ledger.by_key(f"order:{order.id}:charge")
        if charged is None:
            return None
        driver = await self.driver(charged.driver_id)
        entry, _ = await self._append(driver, EntryKind.REFUND, -charged.amount, key=f"order:{order.id}:refund",
                                      order_id=order.id, note=note or f"refund of order {order.id}")  # fmt: skip
        return entry

    async def _append(
        self, driver: Driver, kind: EntryKind, amount: Decimal, *, note: str = "",
        key: str | None = None, order_id: int | None = None, reference: str | None = None,
    ) -> tuple[LedgerEntry, bool]:  # fmt: skip
        entry = NewLedgerEntry(driver.id, kind, amount, driver.currency, self._clock.now(), key,
                               order_id, reference, note)  # fmt: skip
        return await self._ledger.append(entry)

    def _money(self, amount: Decimal, driver: Driver) -> Decimal:
        if round_money(amount, driver.currency) != amount:
            raise WalletError(f"{amount} is not a whole amount of {driver.currency}")
        return amount

    def _positive(self, amount: Decimal, driver: Driver) -> Decimal:
        if amount <= 0:
            raise WalletError("the amount must be positive")
        return self._money(amount, driver)

    def _provider(self, name: str) -> PaymentProvider:
        provider = self._providers.get(name)
        if provider is None:
            known = ", ".join(sorted(self._providers)) or "none"
            raise WalletError(f"unknown payment provider {name!r} (configured: {known})")
        return provider

"""Store interfaces for billing: tariffs and their versions, assignments, drivers, the
wallet ledger and orders. Same rules as ``csms.storage.interfaces``: each method atomic,
UTC datetimes, one contract test suite for every backend
(tests/storage/test_contract_billing.py).

Money goes in and out as ``Decimal``; ledger amounts and the rounded order figures must
be whole minor units of their currency (the SQL backend keeps them as integers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from csms.domain.billing import (
    AssignmentScope,
    Driver,
    LedgerEntry,
    NewLedgerEntry,
    Order,
    OrderState,
    Priced,
    Tariff,
    TariffAssignment,
    TariffSpec,
    TariffVersion,
)


class DriverExists(ValueError):
    """A driver with that id is already stored."""


class TariffStore(Protocol):
    async def create(self, name: str, spec: TariffSpec, at: datetime) -> TariffVersion:
        """A new tariff (ids from 1) with its version 1 (version ids from 1, shared by
        every tariff)."""
        ...

    async def get(self, tariff_id: int) -> Tariff | None: ...

    async def all(self, include_archived: bool = False) -> list[Tariff]:
        """Ordered by id."""
        ...

    async def rename(self, tariff_id: int, name: str) -> Tariff:
        """KeyError if unknown."""
        ...

    async def archive(self, tariff_id: int) -> bool:
        """Mark archived (its versions stay readable); True if it existed."""
        ...

    async def add_version(self, tariff_id: int, spec: TariffSpec, at: datetime) -> TariffVersion:
        """The next version of the tariff (version = previous + 1, never two alike even
        when called concurrently). KeyError if unknown."""
        ...

    async def version(self, version_id: int) -> TariffVersion | None: ...

    async def versions(self, tariff_id: int) -> list[TariffVersion]:
        """Oldest first."""
        ...

    async def current(self, tariff_id: int, at: datetime | None = None) -> TariffVersion | None:
        """The newest version; with ``at``, the newest created at or before ``at`` (the
        first version if all are newer). None if the tariff is unknown."""
        ...


class TariffAssignmentStore(Protocol):
    async def assign(self, assignment: TariffAssignment) -> None:
        """Insert or replace by (scope, key)."""
        ...

    async def unassign(self, scope: AssignmentScope, key: str) -> bool:
        """True if there was one."""
        ...

    async def all(self) -> list[TariffAssignment]:
        """Ordered by scope, key."""
        ...

    async def find(self, keys: Sequence[tuple[AssignmentScope, str]]) -> list[TariffAssignment]:
        """The assignments of these (scope, key) pairs, in any order (one round trip)."""
        ...

    async def add_to_group(self, group: str, station_id: str) -> None:
        """Put the station in the station group (no-op if it is)."""
        ...

    async def remove_from_group(self, group: str, station_id: str) -> bool: ...

    async def groups_of(self, station_id: str) -> list[str]:
        """The station's groups, ordered by name."""
        ...

    async def groups(self) -> dict[str, list[str]]:
        """Every group and its stations, ordered by name."""
        ...


class DriverStore(Protocol):
    async def add(self, driver: Driver) -> Driver:
        """Raises DriverExists."""
        ...

    async def get(self, driver_id: str) -> Driver | None: ...

    async def all(self, limit: int = 100, offset: int = 0) -> list[Driver]:
        """Ordered by id."""
        ...

    async def update(self, driver: Driver) -> Driver:
        """Replace every field but id, currency and created_at; KeyError if unknown."""
        ...


class LedgerStore(Protocol):
    async def append(self, entry: NewLedgerEntry) -> tuple[LedgerEntry, bool]:
        """Append an entry (ids from 1). With an idempotency key that is already stored,
        nothing is appended and the stored entry is returned with False — also when two
        identical calls race."""
        ...

    async def balance(self, driver_id: str, currency: str) -> Decimal:
        """The sum of the driver's entries in ``currency`` (0 without entries)."""
        ...

    async def entries(self, driver_id: str, limit: int = 100, offset: int = 0) -> list[LedgerEntry]:
        """Newest (highest id) first."""
        ...

    async def by_key(self, idempotency_key: str) -> LedgerEntry | None: ...


@dataclass(frozen=True, slots=True)
class NewOrder:
    """The order of a transaction that has just started."""

    transaction_id: int
    station_id: str
    connector_id: int
    id_tag: str | None
    driver_id: str | None
    tariff_version_id: int | None
    currency: str
    started_at: datetime
    created_at: datetime
    max_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderFilter:
    driver_id: str | None = None
    station_id: str | None = None
    state: OrderState | None = None
    started_after: datetime | None = None  # inclusive
    started_before: datetime | None = None  # exclusive
    limit: int = 100
    offset: int = 0


class OrderStore(Protocol):
    async def open(self, new: NewOrder) -> tuple[Order, bool]:
        """Create the Open order of a transaction (ids from 1), or return the one stored
        for that transaction with False (one order per transaction, even when racing)."""
        ...

    async def get(self, order_id: int) -> Order | None: ...

    async def by_transaction(self, transaction_id: int) -> Order | None: ...

    async def set_running(self, order_id: int, running_cost: Decimal, energy_wh: Decimal) -> None:
        """The running cost and energy of an Open order (ignored once it is priced)."""
        ...

    async def set_max_amount(self, order_id: int, max_amount: Decimal | None) -> Order:
        """The pre-payment limit of the session; KeyError if unknown."""
        ...

    async def price(
        self, order_id: int, priced: Priced, stopped_at: datetime, at: datetime
    ) -> tuple[Order, bool]:
        """Open -> Priced with the price. Only the first call prices (True); later ones
        return the order unchanged with False. KeyError if unknown."""
        ...

    async def transition(
        self, order_id: int, old: OrderState, new: OrderState, at: datetime
    ) -> tuple[Order, bool]:
        """``old`` -> ``new`` (Paid sets paid_at, Refunded refunded_at) if the order is in
        ``old``; True if this call moved it. KeyError if unknown."""
        ...

    async def mark_stop_requested(self, order_id: int) -> bool:
        """True the first time only (the remote stop for the pre-payment limit is sent once)."""
        ...

    async def search(self, flt: OrderFilter) -> list[Order]:
        """Newest (highest id) first."""
        ...

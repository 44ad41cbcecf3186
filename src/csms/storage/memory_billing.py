"""In-memory billing stores (``csms.storage.billing``): tariffs, assignments, drivers, the
wallet ledger and orders.

Same promises as ``csms.storage.memory``: the contract of the SQL backend, ids from 1 never
reused, UTC datetimes (naive ones refused), fresh lists, no awaits (each method atomic).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from csms.domain.billing import (
    ZERO,
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
    from_minor,
    to_minor,
)
from csms.storage.billing import DriverExists, NewOrder, OrderFilter
from csms.storage.memory import _utc, _utc_fields


def money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` as the SQL backend returns it: whole minor units (else ValueError), with
    the currency's number of decimals."""
    return from_minor(to_minor(amount, currency), currency)


def optional_money(amount: Decimal | None, currency: str) -> Decimal | None:
    return None if amount is None else money(amount, currency)


def current_version(
    versions: Sequence[TariffVersion], at: datetime | None
) -> TariffVersion | None:
    """The newest of ``versions`` (oldest first), created at or before ``at`` if given."""
    if not versions:
        return None
    if at is None:
        return versions[-1]
    at = _utc(at)
    return next((v for v in reversed(versions) if v.created_at <= at), versions[0])


class MemoryTariffStore:
    def __init__(self) -> None:
        self._tariff_ids = itertools.count(1)
        self._version_ids = itertools.count(1)
        self._tariffs: dict[int, Tariff] = {}
        self._versions: dict[int, list[TariffVersion]] = {}

    async def create(self, name: str, spec: TariffSpec, at: datetime) -> TariffVersion:
        tariff = Tariff(next(self._tariff_ids), name, _utc(at))
        self._tariffs[tariff.id] = tariff
        self._versions[tariff.id] = []
        return await self.add_version(tariff.id, spec, at)

    async def get(self, tariff_id: int) -> Tariff | None:
        return self._tariffs.get(tariff_id)

    async def all(self, include_archived: bool = False) -> list[Tariff]:
        return [
            self._tariffs[key]
            for key in sorted(self._tariffs)
            if include_archived or not self._tariffs[key].archived
        ]

    async def rename(self, tariff_id: int, name: str) -> Tariff:
        tariff = replace(self._existing(tariff_id), name=name)
        self._tariffs[tariff_id] = tariff
        return tariff

    async def archive(self, tariff_id: int) -> bool:
        tariff = self._tariffs.get(tariff_id)
        if tariff is None:
            return False
        self._tariffs[tariff_id] = replace(tariff, archived=True)
        return True

    async def add_version(self, tariff_id: int, spec: TariffSpec, at: datetime) -> TariffVersion:
        self._existing(tariff_id)
        versions = self._versions[tariff_id]
        version = TariffVersion(next(self._version_ids), tariff_id, len(versions) + 1, spec, _utc(at))
        versions.append(version)
        return version

    async def version(self, version_id: int) -> TariffVersion | None:
        every = itertools.chain.from_iterable(self._versions.values())
        return next((v for v in every if v.id == version_id), None)

    async def versions(self, tariff_id: int) -> list[TariffVersion]:
        return list(self._versions.get(tariff_id, []))

    async def current(self, tariff_id: int, at: datetime | None = None) -> TariffVersion | None:
        return current_version(self._versions.get(tariff_id, []), at)

    def _existing(self, tariff_id: int) -> Tariff:
        tariff = self._tariffs.get(tariff_id)
        if tariff is None:
            raise KeyError(tariff_id)
        return tariff


class MemoryTariffAssignmentStore:
    def __init__(self) -> None:
        self._assignments: dict[tuple[str, str], TariffAssignment] = {}
        self._groups: set[tuple[str, str]] = set()  # (group, station_id)

    async def assign(self, assignment: TariffAssignment) -> None:
        assignment = _utc_fields(replace(assignment, scope=AssignmentScope(assignment.scope)))
        self._assignments[(assignment.scope.value, assignment.key)] = assignment

    async def unassign(self, scope: AssignmentScope, key: str) -> bool:
        return self._assignments.pop((AssignmentScope(scope).value, key), None) is not None

    async def all(self) -> list[TariffAssignment]:
        return [self._assignments[key] for key in sorted(self._assignments)]

    async def find(self, keys: Sequence[tuple[AssignmentScope, str]]) -> list[TariffAssignment]:
        wanted = {(AssignmentScope(scope).value, key) for scope, key in keys}
        return [self._assignments[key] for key in sorted(wanted) if key in self._assignments]

    async def add_to_group(self, group: str, station_id: str) -> None:
        self._groups.add((group, station_id))

    async def remove_from_group(self, group: str, station_id: str) -> bool:
        if (group, station_id) not in self._groups:
            return False
        self._groups.discard((group, station_id))
        return True

    async def groups_of(self, station_id: str) -> list[str]:
        return sorted(group for group, station in self._groups if station == station_id)

    async def groups(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for group, station in sorted(self._groups):
            found.setdefault(group, []).append(station)
        return found


class MemoryDriverStore:
    def __init__(self) -> None:
        self._drivers: dict[str, Driver] = {}

    async def add(self, driver: Driver) -> Driver:
        if driver.id in self._drivers:
            raise DriverExists(driver.id)
        limit = optional_money(driver.session_limit, driver.currency)
        driver = _utc_fields(replace(driver, session_limit=limit))
        self._drivers[driver.id] = driver
        return driver

    async def get(self, driver_id: str) -> Driver | None:
        return self._drivers.get(driver_id)

    async def all(self, limit: int = 100, offset: int = 0) -> list[Driver]:
        return [self._drivers[key] for key in sorted(self._drivers)][offset : offset + limit]

    async def update(self, driver: Driver) -> Driver:
        stored = self._drivers.get(driver.id)
        if stored is None:
            raise KeyError(driver.id)
        kept = {"id", "currency", "created_at"}
        changes = {f.name: getattr(driver, f.name) for f in fields(Driver) if f.name not in kept}
        updated = replace(stored, **changes)
        updated = replace(updated, session_limit=optional_money(updated.session_limit, updated.currency))
        self._drivers[driver.id] = updated
        return updated


class MemoryLedgerStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._entries: list[LedgerEntry] = []  # ascending id
        self._by_key: dict[str, LedgerEntry] = {}

    async def append(self, entry: NewLedgerEntry) -> tuple[LedgerEntry, bool]:
        amount = money(entry.amount, entry.currency)
        created_at = _utc(entry.created_at)
        if entry.idempotency_key is not None and entry.idempotency_key in self._by_key:
            return self._by_key[entry.idempotency_key], False
        values = {f.name: getattr(entry, f.name) for f in fields(NewLedgerEntry)}
        stored = LedgerEntry(id=next(self._ids), **{**values, "created_at": created_at, "amount": amount})
        self._entries.append(stored)
        if stored.idempotency_key is not None:
            self._by_key[stored.idempotency_key] = stored
        return stored, True

    async def balance(self, driver_id: str, currency: str) -> Decimal:
        amounts = (
            e.amount for e in self._entries if e.driver_id == driver_id and e.currency == currency
        )
        return money(sum(amounts, ZERO), currency)

    async def entries(self, driver_id: str, limit: int = 100, offset: int = 0) -> list[LedgerEntry]:
        newest_first = [e for e in reversed(self._entries) if e.driver_id == driver_id]
        return newest_first[offset : offset + limit]

    async def by_key(self, idempotency_key: str) -> LedgerEntry | None:
        return self._by_key.get(idempotency_key)


class MemoryOrderStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._orders: dict[int, Order] = {}
        self._by_transaction: dict[int, int] = {}

    async def open(self, new: NewOrder) -> tuple[Order, bool]:
        existing = self._by_transaction.get(new.transaction_id)
        if existing is not None:
            return self._orders[existing], False
        values = {f.name: getattr(new, f.name) for f in fields(NewOrder)}
        values["max_amount"] = optional_money(new.max_amount, new.currency)
        values["running_cost"] = money(ZERO, new.currency)
        order = _utc_fields(Order(id=next(self._ids), **values))
        self._orders[order.id] = order
        self._by_transaction[new.transaction_id] = order.id
        return order, True

    async def get(self, order_id: int) -> Order | None:
        return self._orders.get(order_id)

    async def by_transaction(self, transaction_id: int) -> Order | None:
        order_id = self._by_transaction.get(transaction_id)
        return None if order_id is None else self._orders[order_id]

    async def set_running(self, order_id: int, running_cost: Decimal, energy_wh: Decimal) -> None:
        order = self._orders.get(order_id)
        if order is not None and order.state is OrderState.OPEN:
            running_cost = money(running_cost, order.currency)
            self._put(replace(order, running_cost=running_cost, energy_wh=energy_wh))

    async def set_max_amount(self, order_id: int, max_amount: Decimal | None) -> Order:
        order = self._existing(order_id)
        max_amount = optional_money(max_amount, order.currency)
        return self._put(replace(order, max_amount=max_amount))

    async def price(
        self, order_id: int, priced: Priced, stopped_at: datetime, at: datetime
    ) -> tuple[Order, bool]:
        order = self._existing(order_id)
        stopped_at, at = _utc(stopped_at), _utc(at)
        if order.state is not OrderState.OPEN:
            return order, False
        if priced.currency != order.currency:
            raise ValueError(f"order {order_id} is in {order.currency}, not {priced.currency}")
        for amount in (priced.net, priced.tax, priced.total):
            money(amount, order.currency)
        return self._put(replace(order, **priced_fields(priced, stopped_at, at))), True

    async def transition(
        self, order_id: int, old: OrderState, new: OrderState, at: datetime
    ) -> tuple[Order, bool]:
        order = self._existing(order_id)
        at = _utc(at)
        if order.state is not OrderState(old):
            return order, False
        return self._put(replace(order, **transition_fields(OrderState(new), at))), True

    async def mark_stop_requested(self, order_id: int) -> bool:
        order = self._orders.get(order_id)
        if order is None or order.stop_requested:
            return False
        self._put(replace(order, stop_requested=True))
        return True

    async def search(self, flt: OrderFilter) -> list[Order]:
        after = None if flt.started_after is None else _utc(flt.started_after)
        before = None if flt.started_before is None else _utc(flt.started_before)
        found = [
            order
            for key in sorted(self._orders, reverse=True)
            if (order := self._orders[key])
            and (flt.driver_id is None or order.driver_id == flt.driver_id)
            and (flt.station_id is None or order.station_id == flt.station_id)
            and (flt.state is None or order.state is OrderState(flt.state))
            and (after is None or order.started_at >= after)
            and (before is None or order.started_at < before)
        ]
        return found[flt.offset : flt.offset + flt.limit]

    def _existing(self, order_id: int) -> Order:
        order = self._orders.get(order_id)
        if order is None:
            raise KeyError(order_id)
        return order

    def _put(self, order: Order) -> Order:
        self._orders[order.id] = order
        return order


def priced_fields(priced: Priced, stopped_at: datetime, at: datetime) -> dict[str, Any]:
    """The order fields that pricing sets."""
    return {
        "state": OrderState.PRICED,
        "stopped_at": stopped_at,
        "priced_at": at,
        "energy_wh": priced.energy_wh,
        "charging": priced.charging,
        "idle": priced.idle,
        "lines": priced.lines,
        "net": priced.net,
        "tax": priced.tax,
        "total": priced.total,
        "running_cost": priced.total,
    }


def transition_fields(new: OrderState, at: datetime) -> dict[str, Any]:
    changes: dict[str, Any] = {"state": new}
    if new is OrderState.PAID:
        changes["paid_at"] = at
    elif new is OrderState.REFUNDED:
        changes["refunded_at"] = at
    return changes

"""The storage contract for billing (csms.storage.billing), run on every backend: memory,
SQLite, PostgreSQL. Tariffs and versions, assignments and station groups, drivers, the
ledger (idempotent appends, balance = sum) and orders (one per transaction, conditional
state changes), including what happens when identical calls race.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal as D

import pytest

from csms.domain.billing import (
    AssignmentScope,
    Component,
    Driver,
    EntryKind,
    NewLedgerEntry,
    Order,
    OrderLine,
    OrderState,
    Priced,
    Tariff,
    TariffAssignment,
    TariffSpec,
    TimeOfUsePeriod,
)
from csms.storage import DriverExists, NewOrder, OrderFilter, Stores

T0 = datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))

SPEC = TariffSpec(
    currency="EUR",
    energy_per_kwh=D("0.3912"),
    charging_per_minute=D("0.05"),
    idle_per_minute=D("0.10"),
    idle_grace=timedelta(minutes=15, microseconds=7),
    session_fee=D("0.99"),
    min_price=D("1.00"),
    max_price=None,
    tax_rate=D("0.19"),
    time_zone="Europe/Paris",
    periods=(
        TimeOfUsePeriod("peak", frozenset({1, 2, 3, 4, 5}), time(17), time(20),
                        energy_per_kwh=D("0.55")),
        TimeOfUsePeriod("night", frozenset({6, 7}), time(22), time(0), idle_per_minute=D("0")),
    ),
)  # fmt: skip


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# --- tariffs ---------------------------------------------------------------------------------


async def test_a_new_tariff_has_version_1_and_its_spec_round_trips(stores: Stores) -> None:
    first = await stores.tariffs.create("Standard", SPEC, T0.astimezone(PARIS))
    second = await stores.tariffs.create("Staff", TariffSpec("GBP"), at(1))

    assert (first.id, first.tariff_id, first.version, first.created_at) == (1, 1, 1, T0)
    assert first.created_at.tzinfo is UTC
    assert first.spec == SPEC
    assert (second.id, second.tariff_id, second.version) == (2, 2, 1)
    assert await stores.tariffs.get(1) == Tariff(1, "Standard", T0)
    assert await stores.tariffs.version(1) == first
    assert await stores.tariffs.get(9) is None
    assert await stores.tariffs.version(9) is None


async def test_editing_adds_versions_and_current_picks_by_time(stores: Stores) -> None:
    v1 = await stores.tariffs.create("Standard", SPEC, T0)
    other = await stores.tariffs.create("Other", SPEC, at(1))
    v2 = await stores.tariffs.add_version(1, replace(SPEC, session_fee=D("1.50")), at(10))
    v3 = await stores.tariffs.add_version(1, replace(SPEC, session_fee=D("2")), at(20))

    assert [(v.id, v.version) for v in (v1, other, v2, v3)] == [(1, 1), (2, 1), (3, 2), (4, 3)]
    assert await stores.tariffs.versions(1) == [v1, v2, v3]
    assert await stores.tariffs.current(1) == v3
    assert await stores.tariffs.current(1, at(15)) == v2
    assert await stores.tariffs.current(1, at(10)) == v2
    assert await stores.tariffs.current(1, T0 - timedelta(days=1)) == v1
    assert await stores.tariffs.current(9) is None
    assert await stores.tariffs.versions(9) == []


async def test_concurrent_edits_get_distinct_version_numbers(stores: Stores) -> None:
    await stores.tariffs.create("Standard", SPEC, T0)

    added = await asyncio.gather(
        *(stores.tariffs.add_version(1, replace(SPEC, session_fee=D(n)), at(n)) for n in range(8))
    )

    assert sorted(v.version for v in added) == list(range(2, 10))
    assert [v.version for v in await stores.tariffs.versions(1)] == list(range(1, 10))


async def test_unknown_tariffs_raise_key_error(stores: Stores) -> None:
    with pytest.raises(KeyError):
        await stores.tariffs.add_version(9, SPEC, T0)
    with pytest.raises(KeyError):
        await stores.tariffs.rename(9, "x")
    assert await stores.tariffs.archive(9) is False


async def test_rename_archive_and_list(stores: Stores) -> None:
    await stores.tariffs.create("B", SPEC, T0)
    await stores.tariffs.create("A", SPEC, at(1))

    assert await stores.tariffs.rename(1, "Standard") == Tariff(1, "Standard", T0)
    assert await stores.tariffs.archive(2) is True
    assert [t.name for t in await stores.tariffs.all()] == ["Standard"]
    assert await stores.tariffs.all(include_archived=True) == [
        Tariff(1, "Standard", T0), Tariff(2, "A", at(1), archived=True)
    ]  # fmt: skip
    assert (await stores.tariffs.current(2)) is not None  # versions stay readable


# --- assignments and station groups ------------------------------------------------------------


async def test_assignments_are_replaced_by_scope_and_key(stores: Stores) -> None:
    a = stores.tariff_assignments
    await a.assign(TariffAssignment(AssignmentScope.STATION, "CP1", 1, T0.astimezone(PARIS)))
    await a.assign(TariffAssignment(AssignmentScope.DEFAULT, "", 2, T0))
    await a.assign(TariffAssignment(AssignmentScope.STATION, "CP1", 3, at(1)))
    await a.assign(TariffAssignment(AssignmentScope.ID_TAG, "TAG-1", 4, at(2)))

    assert await a.all() == [
        TariffAssignment(AssignmentScope.DEFAULT, "", 2, T0),
        TariffAssignment(AssignmentScope.ID_TAG, "TAG-1", 4, at(2)),
        TariffAssignment(AssignmentScope.STATION, "CP1", 3, at(1)),
    ]
    found = await a.find([(AssignmentScope.STATION, "CP1"), (AssignmentScope.DEFAULT, ""),
                          (AssignmentScope.DRIVER, "CP1")])  # fmt: skip
    assert sorted(x.tariff_id for x in found) == [2, 3]
    assert await a.find([]) == []
    assert await a.unassign(AssignmentScope.STATION, "CP1") is True
    assert await a.unassign(AssignmentScope.STATION, "CP1") is False
    assert [x.tariff_id for x in await a.all()] == [2, 4]


async def test_station_groups(stores: Stores) -> None:
    a = stores.tariff_assignments
    await a.add_to_group("highway", "CP2")
    await a.add_to_group("highway", "CP1")
    await a.add_to_group("city", "CP1")
    await a.add_to_group("city", "CP1")  # no-op

    assert await a.groups_of("CP1") == ["city", "highway"]
    assert await a.groups() == {"city": ["CP1"], "highway": ["CP1", "CP2"]}
    assert await a.remove_from_group("city", "CP1") is True
    assert await a.remove_from_group("city", "CP1") is False
    assert await a.groups_of("CP1") == ["highway"]
    assert await a.groups_of("CP9") == []


# --- drivers ------------------------------------------------------------------------------------


async def test_drivers_round_trip_and_update(stores: Stores) -> None:
    alice = Driver("alice", "EUR", T0.astimezone(PARIS), "Alice", "a@example.org", "staff",
                   D("25"))  # fmt: skip
    stored = await stores.drivers.add(alice)
    await stores.drivers.add(Driver("bob", "JPY", at(1), session_limit=D(3000)))

    assert stored == replace(alice, created_at=T0)
    assert str(stored.session_limit) == "25.00"
    with pytest.raises(DriverExists):
        await stores.drivers.add(alice)
    assert [d.id for d in await stores.drivers.all()] == ["alice", "bob"]
    assert [d.id for d in await stores.drivers.all(limit=1, offset=1)] == ["bob"]
    updated = await stores.drivers.update(
        replace(alice, name="Alice B", group=None, session_limit=None, currency="USD", created_at=at(9))
    )
    assert updated == replace(alice, name="Alice B", group=None, session_limit=None, created_at=T0)
    assert await stores.drivers.get("alice") == updated
    assert await stores.drivers.get("carol") is None
    with pytest.raises(KeyError):
        await stores.drivers.update(Driver("carol", "EUR", T0))


# --- ledger -------------------------------------------------------------------------------------


def entry(amount: str, key: str | None = None, *, kind: EntryKind = EntryKind.TOP_UP,
          driver: str = "alice", currency: str = "EUR", minute: float = 0) -> NewLedgerEntry:  # fmt: skip
    return NewLedgerEntry(driver, kind, D(amount), currency, at(minute), key, note="n")


async def test_the_balance_is_the_sum_of_the_ledger(stores: Stores) -> None:
    ledger = stores.ledger
    assert await ledger.balance("alice", "EUR") == 0
    first, created = await ledger.append(entry("20.00", "payment:test:1"))
    await ledger.append(entry("-7.35", "order:1:charge", kind=EntryKind.CHARGE))
    await ledger.append(entry("5", driver="bob"))
    await ledger.append(entry("100", currency="JPY"))

    assert created is True
    assert (first.id, first.amount, first.created_at.tzinfo) == (1, D("20.00"), UTC)
    assert str(await ledger.balance("alice", "EUR")) == "12.65"
    assert str(await ledger.balance("alice", "JPY")) == "100"
    assert [e.id for e in await ledger.entries("alice")] == [4, 2, 1]
    assert [e.id for e in await ledger.entries("alice", limit=1, offset=1)] == [2]
    assert await ledger.by_key("order:1:charge") == (await ledger.entries("alice"))[1]
    assert await ledger.by_key("nope") is None


async def test_an_idempotency_key_moves_money_once(stores: Stores) -> None:
    first, _ = await stores.ledger.append(entry("-7.35", "order:1:charge"))
    again, created = await stores.ledger.append(entry("-9.99", "order:1:charge", minute=5))

    assert (again, created) == (first, False)
    assert await stores.ledger.balance("alice", "EUR") == D("-7.35")


async def test_racing_appends_with_one_key_move_money_once(stores: Stores) -> None:
    results = await asyncio.gather(
        *(stores.ledger.append(entry("-7.35", "order:1:charge")) for _ in range(10))
    )

    assert sum(created for _, created in results) == 1
    assert len({e.id for e, _ in results}) == 1
    assert await stores.ledger.balance("alice", "EUR") == D("-7.35")
    assert len(await stores.ledger.entries("alice")) == 1


async def test_amounts_must_be_whole_minor_units(stores: Stores) -> None:
    with pytest.raises(ValueError, match="minor units"):
        await stores.ledger.append(entry("0.001"))
    with pytest.raises(ValueError, match="minor units"):
        await stores.ledger.append(entry("0.5", currency="JPY"))


# --- orders -------------------------------------------------------------------------------------


def new_order(transaction_id: int = 1, *, driver: str | None = "alice", station: str = "CP1",
              minute: float = 0) -> NewOrder:  # fmt: skip
    return NewOrder(transaction_id, station, 1, "TAG-1", driver, 7, "EUR", at(minute), at(minute),
                    max_amount=D("20"))  # fmt: skip


PRICED = Priced(
    currency="EUR",
    energy_wh=D("6379.259277"),
    charging=timedelta(minutes=25, microseconds=3),
    idle=timedelta(minutes=6),
    lines=(
        OrderLine(Component.ENERGY, "peak", D("6.379259277"), "kWh", D("0.3912"),
                  D("2.4955662291624")),
        OrderLine(Component.SESSION_FEE, None, D(1), "session", D("0.99"), D("0.99")),
    ),
    net=D("3.49"),
    tax=D("0.66"),
    total=D("4.15"),
)  # fmt: skip


async def test_an_order_opens_once_per_transaction(stores: Stores) -> None:
    order, created = await stores.orders.open(new_order())
    again, created_again = await stores.orders.open(new_order(minute=5))

    assert (created, created_again) == (True, False)
    assert again == order
    assert (order.id, order.state, order.transaction_id, order.tariff_version_id) == (
        1, OrderState.OPEN, 1, 7
    )  # fmt: skip
    assert (str(order.running_cost), str(order.max_amount), order.lines) == ("0.00", "20.00", ())
    assert await stores.orders.get(1) == order
    assert await stores.orders.by_transaction(1) == order
    assert await stores.orders.by_transaction(2) is None


async def test_racing_opens_create_one_order(stores: Stores) -> None:
    results = await asyncio.gather(*(stores.orders.open(new_order()) for _ in range(10)))

    assert sum(created for _, created in results) == 1
    assert len(await stores.orders.search(OrderFilter())) == 1


async def test_running_cost_is_kept_while_open_only(stores: Stores) -> None:
    order, _ = await stores.orders.open(new_order())
    await stores.orders.set_running(order.id, D("1.20"), D("2500.5"))
    running = await stores.orders.get(order.id)
    assert running is not None
    assert (running.running_cost, running.energy_wh) == (D("1.20"), D("2500.5"))

    await stores.orders.price(order.id, PRICED, at(31), at(32))
    await stores.orders.set_running(order.id, D("9.99"), D("9999"))

    priced = await stores.orders.get(order.id)
    assert priced is not None
    assert (priced.running_cost, priced.energy_wh) == (D("4.15"), D("6379.259277"))


async def test_pricing_happens_once_and_keeps_every_figure(stores: Stores) -> None:
    order, _ = await stores.orders.open(new_order())

    priced, first = await stores.orders.price(order.id, PRICED, at(31).astimezone(PARIS), at(32))
    again, second = await stores.orders.price(order.id, replace(PRICED, total=D(1)), at(40), at(41))

    assert (first, second) == (True, False)
    assert again == priced
    assert priced.state is OrderState.PRICED
    assert (priced.stopped_at, priced.priced_at) == (at(31), at(32))
    assert (priced.net, priced.tax, priced.total) == (D("3.49"), D("0.66"), D("4.15"))
    assert (priced.charging, priced.idle, priced.lines) == (PRICED.charging, PRICED.idle, PRICED.lines)
    assert await stores.orders.get(order.id) == priced


async def test_racing_pricings_price_once(stores: Stores) -> None:
    order, _ = await stores.orders.open(new_order())

    results = await asyncio.gather(
        *(stores.orders.price(order.id, PRICED, at(31), at(32)) for _ in range(10))
    )

    assert sum(first for _, first in results) == 1


async def test_state_transitions_are_conditional(stores: Stores) -> None:
    order, _ = await stores.orders.open(new_order())
    not_yet, moved = await stores.orders.transition(order.id, OrderState.PRICED, OrderState.PAID, at(1))
    assert (not_yet.state, moved) == (OrderState.OPEN, False)

    await stores.orders.price(order.id, PRICED, at(31), at(32))
    paid, moved = await stores.orders.transition(order.id, OrderState.PRICED, OrderState.PAID, at(33))
    assert (paid.state, paid.paid_at, moved) == (OrderState.PAID, at(33), True)
    refunded, moved = await stores.orders.transition(
        order.id, OrderState.PAID, OrderState.REFUNDED, at(34)
    )
    assert (refunded.state, refunded.refunded_at, refunded.paid_at, moved) == (
        OrderState.REFUNDED, at(34), at(33), True
    )  # fmt: skip
    with pytest.raises(KeyError):
        await stores.orders.transition(9, OrderState.PAID, OrderState.REFUNDED, at(1))
    with pytest.raises(KeyError):
        await stores.orders.price(9, PRICED, at(1), at(1))


async def test_the_stop_for_the_prepayment_limit_is_requested_once(stores: Stores) -> None:
    order, _ = await stores.orders.open(new_order())

    assert await stores.orders.mark_stop_requested(order.id) is True
    assert await stores.orders.mark_stop_requested(order.id) is False
    assert await stores.orders.mark_stop_requested(9) is False
    stored = await stores.orders.get(order.id)
    assert stored is not None
    assert stored.stop_requested


async def test_the_limit_of_a_session_can_change(stores: Stores) -> None:
    order, _ = await stores.orders.open(new_order())

    assert (await stores.orders.set_max_amount(order.id, D("5.5"))).max_amount == D("5.50")
    assert (await stores.orders.set_max_amount(order.id, None)).max_amount is None
    with pytest.raises(KeyError):
        await stores.orders.set_max_amount(9, None)


async def test_search_filters_newest_first(stores: Stores) -> None:
    await stores.orders.open(new_order(1, minute=0))
    await stores.orders.open(new_order(2, driver="bob", minute=10))
    await stores.orders.open(new_order(3, station="CP2", minute=20))
    await stores.orders.price(1, PRICED, at(31), at(32))

    def ids(orders: list[Order]) -> list[int]:
        return [o.id for o in orders]

    search = stores.orders.search
    assert ids(await search(OrderFilter())) == [3, 2, 1]
    assert ids(await search(OrderFilter(driver_id="alice"))) == [3, 1]
    assert ids(await search(OrderFilter(station_id="CP2"))) == [3]
    assert ids(await search(OrderFilter(state=OrderState.OPEN))) == [3, 2]
    assert ids(await search(OrderFilter(started_after=at(10), started_before=at(20)))) == [2]
    assert ids(await search(OrderFilter(limit=1, offset=1))) == [2]

"""Orders follow transactions over OCPP 1.6: opened at StartTransaction with the tariff that
applies, running cost with each MeterValues, priced and debited once at StopTransaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from decimal import Decimal as D

import pytest

from csms.domain import TransactionState
from csms.domain.billing import (
    AssignmentScope,
    EntryKind,
    OrderState,
    TariffSpec,
    TimeOfUsePeriod,
)
from csms.services import EventType
from csms.services.billing import OrderStateError
from csms.storage import TransactionStop
from tests.billing.conftest import Billing
from tests.billing.kit import eur, utc

# 0.40/kWh, 0.10/min idle after 15 min, session fee 0.50, 20 % tax.
SPEC = eur(energy_per_kwh="0.40", idle_per_minute="0.10", idle_grace=timedelta(minutes=15),
           session_fee="0.50", tax_rate="0.20")  # fmt: skip


async def test_a_session_is_priced_and_debited_from_the_wallet(billing: Billing) -> None:
    # 10 kWh x 0.40 = 4.00; charging ended 11:00, idle 11:00-12:00 = 60 - 15 = 45 min x
    # 0.10 = 4.50; fee 0.50: net 9.00, total 10.80, tax 1.80. Wallet 50.00 - 10.80 = 39.20.
    await billing.tariff(SPEC)
    await billing.driver(balance="50")
    started = await billing.start()
    transaction_id = started["transactionId"]
    assert started["idTagInfo"] == {"status": "Accepted"}
    await billing.meter(transaction_id, "2025-01-15T10:30:00Z", 5000)
    await billing.meter(transaction_id, "2025-01-15T11:00:00Z", 10000)
    await billing.meter(transaction_id, "2025-01-15T11:30:00Z", 10000)

    stopped = await billing.stop(transaction_id, "2025-01-15T12:00:00Z", 10000)

    assert stopped == {"idTagInfo": {"status": "Accepted"}}
    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert order.state is OrderState.PAID
    assert (order.net, order.tax, order.total) == (D("9.00"), D("1.80"), D("10.80"))
    assert (order.energy_kwh, order.charging, order.idle) == (
        D(10), timedelta(hours=1), timedelta(hours=1)
    )  # fmt: skip
    assert (order.driver_id, order.id_tag, order.station_id) == ("alice", "TAG-1", "CP1")
    wallet = await billing.services.billing.wallets.wallet("alice")
    assert wallet.balance == D("39.20")
    ledger = await billing.services.billing.wallets.ledger("alice")
    assert [(e.kind, e.amount, e.order_id) for e in ledger] == [
        (EntryKind.CHARGE, D("-10.80"), order.id), (EntryKind.TOP_UP, D("50.00"), None)
    ]  # fmt: skip


async def test_the_running_cost_follows_each_meter_value_and_is_published(billing: Billing) -> None:
    # At 10:30 with 5 kWh: 5 x 0.40 + 0.50 = 2.50 net, 3.00 with tax.
    await billing.tariff(SPEC)
    await billing.driver()
    transaction_id = (await billing.start())["transactionId"]
    orders = billing.services.billing.orders
    with billing.services.events.subscribe(types={EventType.ORDER_UPDATED}) as events:
        await billing.meter(transaction_id, "2025-01-15T10:30:00Z", 5000)
        order = await orders.by_transaction(transaction_id)
        assert order is not None
        assert (order.state, order.running_cost, order.energy_kwh) == (OrderState.OPEN, D("3.00"), D(5))
        await billing.meter(transaction_id, "2025-01-15T11:00:00Z", 10000)
        first, second = await events.next(1), await events.next(1)

    assert first is not None
    assert second is not None
    assert (first.data["running_cost"], second.data["running_cost"]) == ("3.00", "5.40")
    assert second.data["transaction_id"] == transaction_id
    assert second.station_id == "CP1"


async def test_editing_a_tariff_never_changes_a_started_session(billing: Billing) -> None:
    tariff_id = await billing.tariff(SPEC)
    await billing.driver()
    transaction_id = (await billing.start())["transactionId"]
    billing.clock.advance(60)
    edited = await billing.services.billing.tariffs.edit(tariff_id, replace(SPEC, energy_per_kwh=D(9)))

    await billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000)

    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert order.tariff_version_id == 1
    assert edited.current.version == 2
    assert order.total == D("5.40")  # (10 x 0.40 + 0.50) x 1.2, not at 9/kWh


async def test_a_tag_or_driver_group_tariff_wins_over_the_station_tariff(billing: Billing) -> None:
    tariffs = billing.services.billing.tariffs
    await billing.tariff(SPEC)
    staff = await billing.tariff(TariffSpec("EUR", energy_per_kwh=D("0.10")), station=None)
    await tariffs.assign(AssignmentScope.DRIVER_GROUP, "staff", staff)
    await billing.driver("alice", "TAG-1", group="staff")
    await billing.driver("bob", "TAG-2")

    staff_tx = (await billing.start("TAG-1"))["transactionId"]
    other_tx = (await billing.start("TAG-2", connector=2))["transactionId"]

    orders = billing.services.billing.orders
    staff_order, other_order = await orders.by_transaction(staff_tx), await orders.by_transaction(other_tx)
    assert staff_order is not None
    assert other_order is not None
    assert (staff_order.tariff_version_id, other_order.tariff_version_id) == (2, 1)


async def test_station_groups_and_the_default_tariff(billing: Billing) -> None:
    tariffs = billing.services.billing.tariffs
    highway = (await tariffs.create("Highway", TariffSpec("EUR", energy_per_kwh=D("0.69")))).tariff.id
    default = (await tariffs.create("Default", TariffSpec("EUR", energy_per_kwh=D("0.39")))).tariff.id
    await tariffs.add_to_group("highway", "CP1")
    await tariffs.assign(AssignmentScope.STATION_GROUP, "highway", highway)
    await tariffs.assign(AssignmentScope.DEFAULT, "ignored", default)
    await billing.services.stations.add("CP2")

    at_cp1 = await tariffs.resolve("CP1", None, None, billing.clock.now())
    at_cp2 = await tariffs.resolve("CP2", None, None, billing.clock.now())
    await tariffs.archive(highway)
    archived = await tariffs.resolve("CP1", None, None, billing.clock.now())

    assert at_cp1 is not None
    assert at_cp2 is not None
    assert archived is not None
    assert (at_cp1.tariff_id, at_cp2.tariff_id, archived.tariff_id) == (highway, default, default)


async def test_a_low_wallet_is_blocked_at_authorize_and_start(billing: Billing) -> None:
    await billing.driver(balance="4.99")  # minimum 5.00 in these tests

    authorize = await billing.call("Authorize", {"idTag": "TAG-1"})
    start = await billing.start()
    allowed, reason = await billing.services.billing.can_start("TAG-1")

    assert authorize == {"idTagInfo": {"status": "Blocked"}}
    assert start["idTagInfo"] == {"status": "Blocked"}
    assert not allowed
    assert reason is not None
    assert "4.99 EUR" in reason
    assert "5.00 EUR" in reason
    await billing.stop(start["transactionId"], "2025-01-15T10:00:05Z", 0)  # the station gives up
    await billing.services.billing.wallets.top_up("alice", D("0.01"))
    assert await billing.call("Authorize", {"idTag": "TAG-1"}) == {"idTagInfo": {"status": "Accepted"}}
    assert await billing.services.billing.can_start("TAG-1") == (True, None)


async def test_tags_without_a_driver_are_not_limited_by_a_wallet(billing: Billing) -> None:
    from csms.domain import IdTag

    await billing.stores.id_tags.upsert(IdTag("FLEET", owner="not-a-driver"))
    await billing.stores.id_tags.upsert(IdTag("PLAIN"))

    assert await billing.call("Authorize", {"idTag": "FLEET"}) == {"idTagInfo": {"status": "Accepted"}}
    assert await billing.call("Authorize", {"idTag": "PLAIN"}) == {"idTagInfo": {"status": "Accepted"}}


async def test_a_retransmitted_stop_debits_once(billing: Billing) -> None:
    await billing.tariff(SPEC)
    await billing.driver()
    transaction_id = (await billing.start())["transactionId"]

    for _ in range(3):
        await billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000)

    ledger = await billing.services.billing.wallets.ledger("alice")
    assert [e.kind for e in ledger] == [EntryKind.CHARGE, EntryKind.TOP_UP]
    assert (await billing.services.billing.wallets.wallet("alice")).balance == D("44.60")


async def test_a_session_reported_after_an_offline_period_uses_the_tariff_of_its_start(
    billing: Billing,
) -> None:
    # The station charged from 10:00 to 10:30 while offline; csms learns of it at 14:00,
    # after the tariff got a new version at 12:00. The session is priced at version 1.
    tariff_id = await billing.tariff(SPEC)  # created at the fake clock's 02:09 UTC
    await billing.driver()
    billing.clock.current = utc("2025-01-15 12:00")
    await billing.services.billing.tariffs.edit(tariff_id, replace(SPEC, energy_per_kwh=D(9)))
    billing.clock.current = utc("2025-01-15 14:00")

    transaction_id = (await billing.start(at="2025-01-15T10:00:00Z"))["transactionId"]
    await billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000)
    await billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000)  # retransmitted

    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert (order.tariff_version_id, order.total, order.state) == (1, D("5.40"), OrderState.PAID)
    assert (await billing.services.billing.wallets.wallet("alice")).balance == D("44.60")


async def test_the_prepayment_limit_stops_the_session_remotely_once(billing: Billing) -> None:
    import asyncio

    await billing.tariff(SPEC)
    await billing.driver(session_limit=D("3.00"))
    transaction_id = (await billing.start())["transactionId"]
    runner = asyncio.create_task(billing.services.billing.run())
    try:
        await billing.meter(transaction_id, "2025-01-15T10:10:00Z", 1000)  # (0.40+0.50)*1.2 = 1.08
        await asyncio.sleep(0.01)
        assert billing.stops == []
        await billing.meter(transaction_id, "2025-01-15T10:30:00Z", 5000)  # 3.00: the limit
        await billing.meter(transaction_id, "2025-01-15T10:40:00Z", 6000)
        await asyncio.sleep(0.01)
    finally:
        runner.cancel()

    assert billing.stops == [("CP1", transaction_id)]
    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert (order.max_amount, order.stop_requested) == (D("3.00"), True)


async def test_a_paid_order_is_refunded_once(billing: Billing) -> None:
    await billing.tariff(SPEC)
    await billing.driver()
    transaction_id = (await billing.start())["transactionId"]
    await billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000)
    orders = billing.services.billing.orders
    order = await orders.by_transaction(transaction_id)
    assert order is not None

    refunded = await orders.refund(order.id, "charger fault")

    assert refunded.state is OrderState.REFUNDED
    assert (await billing.services.billing.wallets.wallet("alice")).balance == D("50.00")
    with pytest.raises(OrderStateError):
        await orders.refund(order.id)
    kinds = [e.kind for e in await billing.services.billing.wallets.ledger("alice")]
    assert kinds == [EntryKind.REFUND, EntryKind.CHARGE, EntryKind.TOP_UP]


async def test_reconcile_prices_what_a_crash_left_open(billing: Billing) -> None:
    await billing.tariff(SPEC)
    await billing.driver()
    transaction_id = (await billing.start())["transactionId"]
    # The transaction stopped but csms died before pricing (no hook ran).
    stop = TransactionStop(10000, utc("2025-01-15 10:30"), utc("2025-01-15 10:30"))
    await billing.stores.transactions.stop(transaction_id, stop)

    assert await billing.services.billing.orders.reconcile() == 1

    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert (order.state, order.total) == (OrderState.PAID, D("5.40"))
    assert await billing.services.billing.orders.reconcile() == 0


async def test_without_a_tariff_the_order_costs_nothing(billing: Billing) -> None:
    await billing.driver()
    transaction_id = (await billing.start())["transactionId"]
    await billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000)

    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert (order.tariff_version_id, order.currency, order.total, order.state) == (
        None, "EUR", D("0.00"), OrderState.PAID
    )  # fmt: skip
    assert len(await billing.services.billing.wallets.ledger("alice")) == 1  # the top-up only


async def test_a_tag_without_a_driver_gets_a_priced_order(billing: Billing) -> None:
    from csms.domain import IdTag

    await billing.tariff(SPEC)
    await billing.stores.id_tags.upsert(IdTag("PLAIN"))
    transaction_id = (await billing.start("PLAIN"))["transactionId"]
    await billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000, tag=None)

    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert (order.driver_id, order.state, order.total) == (None, OrderState.PRICED, D("5.40"))


async def test_a_stop_csms_never_saw_start_makes_no_order(billing: Billing) -> None:
    await billing.stop(4242, "2025-01-15T10:30:00Z", 10000, tag=None)

    transactions = await billing.stores.transactions.search(
        __import__("csms.storage", fromlist=["TransactionFilter"]).TransactionFilter()
    )
    assert [t.state for t in transactions] == [TransactionState.STOPPED]
    assert await billing.services.billing.orders.by_transaction(transactions[0].id) is None


async def test_time_of_use_through_ocpp(billing: Billing) -> None:
    # Peak 17:00-20:00 Paris (16:00-19:00 UTC) at 0.50/kWh, else 0.30. 15:30-16:30 UTC
    # at an even 8 kW: 4 kWh x 0.30 + 4 kWh x 0.50 = 3.20.
    peak = TimeOfUsePeriod("peak", frozenset({1, 2, 3, 4, 5}), time(17), time(20),
                           energy_per_kwh=D("0.50"))  # fmt: skip
    await billing.tariff(eur(energy_per_kwh="0.30", time_zone="Europe/Paris", periods=(peak,)))
    await billing.driver()
    transaction_id = (await billing.start(at="2025-01-15T15:30:00Z"))["transactionId"]
    await billing.meter(transaction_id, "2025-01-15T15:50:00Z", 2000)
    await billing.meter(transaction_id, "2025-01-15T16:10:00Z", 6000)
    await billing.stop(transaction_id, "2025-01-15T16:30:00Z", 8000)

    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert [(line.period, line.quantity) for line in order.lines] == [(None, D(4)), ("peak", D(4))]
    assert order.total == D("3.20")

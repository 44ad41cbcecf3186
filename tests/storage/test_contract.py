"""The storage contract (csms.storage.interfaces), run on every backend: memory, SQLite, PostgreSQL.

Then the SQL backend's own promises: migrations build exactly ``tables.metadata``, upgrading
an up-to-date database is a no-op, and SQLite engines get their pragmas and directory.
"""

from __future__ import annotations

import asyncio
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from csms.domain import (
    AuthorizationStatus,
    ConnectorStatus,
    Direction,
    IdTag,
    MeterSample,
    OcppMessage,
    RegistrationStatus,
    Station,
    StatusEvent,
    TransactionState,
)
from csms.storage import (
    BootInfo,
    NewTransaction,
    StationExists,
    StationNotFound,
    Stores,
    TransactionFilter,
    TransactionStop,
)
from csms.storage.sql import create_engine, upgrade
from csms.storage.sql.tables import metadata, stations

T0 = datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def new_tx(**changes: object) -> NewTransaction:
    base = NewTransaction(
        station_id="CP-1",
        evse_id=1,
        connector_id=1,
        id_tag="TAG-1",
        meter_start=1000,
        started_at=T0,
        received_at=at(0.1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def stop_at(minutes: float, meter_stop: int = 5000, **changes: object) -> TransactionStop:
    stop = TransactionStop(meter_stop=meter_stop, stopped_at=at(minutes), received_at=at(minutes))
    return replace(stop, **changes)  # type: ignore[arg-type]


def sample(**changes: object) -> MeterSample:
    base = MeterSample(
        station_id="CP-1",
        evse_id=1,
        connector_id=1,
        transaction_id=1,
        timestamp=T0,
        received_at=at(0.5),
        value="1234.5",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def status(evse_id: int, state: ConnectorStatus, minutes: float, **changes: object) -> StatusEvent:
    """A 1.6-style event: EVSE n has connector 1, EVSE 0 (the station) connector 0."""
    event = StatusEvent(
        station_id="CP-1",
        evse_id=evse_id,
        connector_id=1 if evse_id else 0,
        status=state,
        error_code="NoError",
        timestamp=at(minutes),
        received_at=at(minutes),
    )
    return replace(event, **changes)  # type: ignore[arg-type]


def message(minutes: float, action: str | None = "Heartbeat", **changes: object) -> OcppMessage:
    msg = OcppMessage(
        station_id="CP-1",
        direction=Direction.INBOUND,
        at=at(minutes),
        frame=f'[2,"m{minutes}","{action}",{{}}]',
        action=action,
        message_id=f"m{minutes}",
    )
    return replace(msg, **changes)  # type: ignore[arg-type]


BOOT = BootInfo(
    ocpp_version="ocpp1.6",
    vendor="Acme",
    model="Volt 22",
    serial_number="SN-1",
    charge_box_serial_number="CB-1",
    firmware_version="1.2.3",
    iccid="8931",
    imsi="2620",
    meter_type="Meter X",
    meter_serial_number="M-1",
)


# --- stations -------------------------------------------------------------------------------


async def test_added_station_reads_back_with_created_at_set(stores: Stores) -> None:
    added = await stores.stations.add(Station(id="CP-1", lenient=True, password_hash="h"))

    assert added.created_at is not None
    assert added.created_at.tzinfo is UTC
    assert added == Station(id="CP-1", lenient=True, password_hash="h", created_at=added.created_at)
    assert await stores.stations.get("CP-1") == added


async def test_a_given_created_at_is_kept(stores: Stores) -> None:
    added = await stores.stations.add(Station(id="CP-1", created_at=T0))

    assert added.created_at == T0


async def test_adding_a_station_twice_raises_station_exists(stores: Stores) -> None:
    await stores.stations.add(Station(id="CP-1"))

    with pytest.raises(StationExists):
        await stores.stations.add(Station(id="CP-1", lenient=True))
    stored = await stores.stations.get("CP-1")
    assert stored is not None
    assert not stored.lenient


async def test_unknown_station_is_none(stores: Stores) -> None:
    assert await stores.stations.get("nope") is None


async def test_all_stations_are_ordered_by_id(stores: Stores) -> None:
    for station_id in ["CP-3", "CP-1", "CP-2"]:
        await stores.stations.add(Station(id=station_id, created_at=T0))

    assert [s.id for s in await stores.stations.all()] == ["CP-1", "CP-2", "CP-3"]


async def test_update_replaces_editable_fields_only(stores: Stores) -> None:
    added = await stores.stations.add(Station(id="CP-1", created_at=T0))
    await stores.stations.record_boot("CP-1", BOOT, at(1))
    await stores.stations.touch_many({"CP-1": at(2)})

    edited = replace(
        added,
        registration_status=RegistrationStatus.REJECTED,
        password_hash="new-hash",
        lenient=True,
        vendor="Other",
        created_at=at(99),
        last_boot_at=None,
        last_seen_at=None,
    )
    updated = await stores.stations.update(edited)

    assert updated.registration_status is RegistrationStatus.REJECTED
    assert (updated.password_hash, updated.lenient, updated.vendor) == ("new-hash", True, "Other")
    assert (updated.created_at, updated.last_boot_at, updated.last_seen_at) == (T0, at(1), at(2))
    assert await stores.stations.get("CP-1") == updated


async def test_updating_an_unknown_station_raises_station_not_found(stores: Stores) -> None:
    with pytest.raises(StationNotFound):
        await stores.stations.update(Station(id="nope"))


async def test_delete_tells_whether_the_station_existed(stores: Stores) -> None:
    await stores.stations.add(Station(id="CP-1"))

    assert await stores.stations.delete("CP-1") is True
    assert await stores.stations.delete("CP-1") is False
    assert await stores.stations.get("CP-1") is None


async def test_record_boot_stores_boot_info_and_sets_boot_and_seen_times(stores: Stores) -> None:
    await stores.stations.add(Station(id="CP-1", lenient=True, created_at=T0))

    booted = await stores.stations.record_boot("CP-1", BOOT, at(5).astimezone(PARIS))

    assert booted == Station(
        id="CP-1",
        lenient=True,
        created_at=T0,
        last_boot_at=at(5),
        last_seen_at=at(5),
        **{name: getattr(BOOT, name) for name in BootInfo.__dataclass_fields__},
    )
    assert booted.last_boot_at is not None
    assert booted.last_boot_at.tzinfo is UTC
    assert await stores.stations.get("CP-1") == booted


async def test_record_boot_of_an_unknown_station_raises_station_not_found(stores: Stores) -> None:
    with pytest.raises(StationNotFound):
        await stores.stations.record_boot("nope", BOOT, T0)


async def test_record_boots_records_many_boots_at_once_like_record_boot(stores: Stores) -> None:
    await stores.stations.add(Station(id="CP-1", lenient=True, created_at=T0))
    await stores.stations.add(
        Station(id="CP-2", registration_status=RegistrationStatus.PENDING, created_at=T0)
    )
    await stores.stations.add(Station(id="CP-3", created_at=T0))
    other = replace(BOOT, vendor="Other", serial_number=None)

    found = await stores.stations.record_boots(
        {"CP-1": (BOOT, at(5).astimezone(PARIS)), "CP-2": (other, at(6)), "ghost": (BOOT, at(7))}
    )

    assert found == {"CP-1": RegistrationStatus.ACCEPTED, "CP-2": RegistrationStatus.PENDING}
    assert all(type(status) is RegistrationStatus for status in found.values())
    assert await stores.stations.get("CP-1") == Station(
        id="CP-1",
        lenient=True,
        created_at=T0,
        last_boot_at=at(5),
        last_seen_at=at(5),
        **{name: getattr(BOOT, name) for name in BootInfo.__dataclass_fields__},
    )
    cp2 = await stores.stations.get("CP-2")
    assert cp2 is not None
    assert (cp2.vendor, cp2.serial_number, cp2.last_boot_at) == ("Other", None, at(6))
    cp3 = await stores.stations.get("CP-3")
    assert cp3 == Station(id="CP-3", created_at=T0)
    assert await stores.stations.get("ghost") is None
    assert await stores.stations.record_boots({}) == {}


async def test_record_boots_of_many_stations_answers_for_each(stores: Stores) -> None:
    ids = [f"CP-{n:04}" for n in range(1100)]  # more than one IN (...) chunk
    for station_id in ids:
        await stores.stations.add(Station(id=station_id, created_at=T0))

    found = await stores.stations.record_boots({sid: (BOOT, at(1)) for sid in ids})

    assert found == dict.fromkeys(ids, RegistrationStatus.ACCEPTED)
    assert {s.last_boot_at for s in await stores.stations.all()} == {at(1)}


async def test_record_boots_with_a_naive_datetime_changes_nothing(stores: Stores) -> None:
    await stores.stations.add(Station(id="CP-1", created_at=T0))
    await stores.stations.add(Station(id="CP-2", created_at=T0))

    with pytest.raises(ValueError, match="naive"):
        await stores.stations.record_boots(
            {"CP-1": (BOOT, at(1)), "CP-2": (BOOT, datetime(2025, 1, 1))}
        )

    assert {s.last_boot_at for s in await stores.stations.all()} == {None}


async def test_touch_many_sets_last_seen_and_ignores_unknown_ids(stores: Stores) -> None:
    for station_id in ["CP-1", "CP-2", "CP-3"]:
        await stores.stations.add(Station(id=station_id, created_at=T0))

    await stores.stations.touch_many({"CP-1": at(1), "CP-3": at(3), "ghost": at(4)})
    await stores.stations.touch_many({})

    seen = {s.id: s.last_seen_at for s in await stores.stations.all()}
    assert seen == {"CP-1": at(1), "CP-2": None, "CP-3": at(3)}
    assert await stores.stations.get("ghost") is None


async def test_touch_many_round_trips_many_stations_and_overwrites_earlier_times(
    stores: Stores,
) -> None:
    ids = [f"CP-{n:04}" for n in range(300)]
    for station_id in ids:
        await stores.stations.add(Station(id=station_id, created_at=T0))

    await stores.stations.touch_many({sid: at(1) for sid in ids})
    later = {sid: at(2 + n / 7).astimezone(PARIS) for n, sid in enumerate(ids[::2])}
    await stores.stations.touch_many(later)

    seen = {s.id: s.last_seen_at for s in await stores.stations.all()}
    expected = {sid: later.get(sid, at(1)) for sid in ids}
    assert seen == expected
    assert all(when is not None and when.tzinfo is UTC for when in seen.values())


async def test_touch_many_refuses_naive_datetimes(stores: Stores) -> None:
    await stores.stations.add(Station(id="CP-1", created_at=T0))

    with pytest.raises(ValueError, match="naive"):
        await stores.stations.touch_many({"CP-1": datetime(2025, 1, 1)})


async def test_credentials_are_each_stations_admission_fields(stores: Stores) -> None:
    assert await stores.stations.credentials() == []
    await stores.stations.add(Station(id="CP-2", created_at=T0))
    await stores.stations.add(
        Station(
            id="CP-1",
            password_hash="hash-1",
            lenient=True,
            registration_status=RegistrationStatus.PENDING,
            created_at=T0,
        )
    )
    await stores.stations.record_boot("CP-2", BOOT, at(1))
    await stores.stations.add(Station(id="CP-3", created_at=T0))
    await stores.stations.delete("CP-3")

    credentials = sorted(await stores.stations.credentials())

    assert credentials == [
        ("CP-1", "hash-1", True, RegistrationStatus.PENDING),
        ("CP-2", None, False, RegistrationStatus.ACCEPTED),
    ]
    assert all(type(lenient) is bool for _, _, lenient, _ in credentials)
    assert all(type(status) is RegistrationStatus for *_, status in credentials)


async def test_station_datetimes_come_back_in_utc(stores: Stores) -> None:
    added = await stores.stations.add(Station(id="CP-1", created_at=T0.astimezone(PARIS)))

    stored = await stores.stations.get("CP-1")
    assert stored is not None
    assert added.created_at == stored.created_at == T0
    assert added.created_at is not None
    assert stored.created_at is not None
    assert added.created_at.tzinfo is stored.created_at.tzinfo is UTC


# --- id tags --------------------------------------------------------------------------------


async def test_upsert_inserts_then_replaces_a_tag(stores: Stores) -> None:
    tag = IdTag("TAG-1", AuthorizationStatus.ACCEPTED, expiry_date=at(60), parent_id_tag="P")
    assert await stores.id_tags.upsert(tag) == tag

    blocked = IdTag("TAG-1", AuthorizationStatus.BLOCKED)
    assert await stores.id_tags.upsert(blocked) == blocked
    assert await stores.id_tags.get("TAG-1") == blocked


async def test_tag_expiry_round_trips_in_utc(stores: Stores) -> None:
    await stores.id_tags.upsert(IdTag("TAG-1", expiry_date=at(60).astimezone(PARIS)))

    stored = await stores.id_tags.get("TAG-1")
    assert stored is not None
    assert stored.expiry_date == at(60)
    assert stored.expiry_date is not None
    assert stored.expiry_date.tzinfo is UTC


async def test_all_tags_are_ordered_by_id_tag_and_delete_tells_whether_one_existed(
    stores: Stores,
) -> None:
    for name in ["B", "C", "A"]:
        await stores.id_tags.upsert(IdTag(name))

    assert [t.id_tag for t in await stores.id_tags.all()] == ["A", "B", "C"]
    assert await stores.id_tags.delete("B") is True
    assert await stores.id_tags.delete("B") is False
    assert await stores.id_tags.get("B") is None
    assert [t.id_tag for t in await stores.id_tags.all()] == ["A", "C"]


async def test_by_owner_lists_that_owners_tags_ordered_by_id_tag(stores: Stores) -> None:
    for name, owner in [("C", "alice"), ("B", "bob"), ("A", "alice"), ("D", None)]:
        await stores.id_tags.upsert(IdTag(name, owner=owner))

    assert await stores.id_tags.by_owner("alice") == [
        IdTag("A", owner="alice"),
        IdTag("C", owner="alice"),
    ]
    assert await stores.id_tags.by_owner("carol") == []


async def test_upsert_replaces_the_owner_of_a_tag(stores: Stores) -> None:
    await stores.id_tags.upsert(IdTag("A", owner="alice"))

    moved = await stores.id_tags.upsert(IdTag("A", owner="bob"))

    assert moved == IdTag("A", owner="bob")
    assert await stores.id_tags.get("A") == moved
    assert await stores.id_tags.by_owner("alice") == []
    assert await stores.id_tags.by_owner("bob") == [moved]
    await stores.id_tags.upsert(IdTag("A"))
    assert await stores.id_tags.by_owner("bob") == []


# --- transactions ---------------------------------------------------------------------------


async def test_start_creates_active_transactions_with_ids_counting_from_1(stores: Stores) -> None:
    first, created = await stores.transactions.start(new_tx(reservation_id=7))
    second, _ = await stores.transactions.start(new_tx(connector_id=2, evse_id=2))

    assert created
    assert (first.id, second.id) == (1, 2)
    assert first.state is TransactionState.ACTIVE
    assert (first.station_id, first.evse_id, first.connector_id) == ("CP-1", 1, 1)
    assert (first.id_tag, first.meter_start, first.reservation_id) == ("TAG-1", 1000, 7)
    assert (first.started_at, first.received_at) == (T0, at(0.1))
    assert first.started_at.tzinfo is UTC
    assert first.meter_stop is None
    assert first.energy_wh is None
    assert not first.station_stop_unknown
    assert await stores.transactions.get(1) == first


async def test_retransmitted_start_returns_the_same_transaction(stores: Stores) -> None:
    first, created = await stores.transactions.start(new_tx())
    again, created_again = await stores.transactions.start(
        new_tx(received_at=at(3), started_at=T0.astimezone(PARIS))
    )

    assert created
    assert not created_again
    assert again == first


async def test_retransmitted_start_without_id_tag_returns_the_same_transaction(
    stores: Stores,
) -> None:
    first, _ = await stores.transactions.start(new_tx(id_tag=None))
    again, created = await stores.transactions.start(new_tx(id_tag=None))

    assert not created
    assert again == first
    assert again.id_tag is None


@pytest.mark.parametrize(
    "change",
    [
        {"station_id": "CP-2"},
        {"connector_id": 2},
        {"id_tag": "TAG-2"},
        {"id_tag": None},
        {"meter_start": 1001},
        {"started_at": T0 + timedelta(microseconds=1)},
    ],
    ids=lambda change: next(iter(change)),
)
async def test_a_start_differing_in_any_key_field_is_a_new_transaction(
    stores: Stores, change: dict[str, object]
) -> None:
    first, _ = await stores.transactions.start(new_tx())
    other, created = await stores.transactions.start(new_tx(**change))

    assert created
    assert other.id == first.id + 1


async def test_concurrent_identical_starts_create_one_transaction(stores: Stores) -> None:
    results = await asyncio.gather(*(stores.transactions.start(new_tx()) for _ in range(5)))

    assert len({tx.id for tx, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, False, True]
    assert len(await stores.transactions.search(TransactionFilter())) == 1


async def test_get_unknown_transaction_is_none(stores: Stores) -> None:
    assert await stores.transactions.get(42) is None


async def test_get_by_station_tx_id_finds_a_201_transaction(stores: Stores) -> None:
    started, _ = await stores.transactions.start(new_tx(station_tx_id="f00d-1"))
    await stores.transactions.start(new_tx(station_id="CP-2", station_tx_id="f00d-2"))

    assert await stores.transactions.get_by_station_tx_id("CP-1", "f00d-1") == started
    assert await stores.transactions.get_by_station_tx_id("CP-1", "f00d-2") is None
    assert await stores.transactions.get_by_station_tx_id("CP-2", "f00d-1") is None


async def test_active_for_connector_is_the_newest_active_transaction(stores: Stores) -> None:
    older, _ = await stores.transactions.start(new_tx(started_at=at(0)))
    newer, _ = await stores.transactions.start(new_tx(started_at=at(10)))
    newest, _ = await stores.transactions.start(new_tx(started_at=at(20)))
    await stores.transactions.start(new_tx(evse_id=2, connector_id=1, started_at=at(30)))
    await stores.transactions.stop(newest.id, stop_at(25))

    assert await stores.transactions.active_for_connector("CP-1", 1, 1) == newer
    await stores.transactions.stop(newer.id, stop_at(15))
    assert await stores.transactions.active_for_connector("CP-1", 1, 1) == older
    assert await stores.transactions.active_for_connector("CP-1", 3, 1) is None
    assert await stores.transactions.active_for_connector("CP-2", 1, 1) is None


async def test_stop_marks_the_transaction_stopped_with_the_stop_data(stores: Stores) -> None:
    started, _ = await stores.transactions.start(new_tx())

    stopped = await stores.transactions.stop(
        started.id, stop_at(30, meter_stop=7500, reason="Local", id_tag="TAG-9")
    )

    assert stopped == replace(
        started,
        state=TransactionState.STOPPED,
        meter_stop=7500,
        stopped_at=at(30),
        stop_reason="Local",
        stop_id_tag="TAG-9",
        stop_received_at=at(30),
    )
    assert stopped.energy_wh == 6500
    assert await stores.transactions.get(started.id) == stopped


async def test_repeated_stop_keeps_the_first_stop_data(stores: Stores) -> None:
    started, _ = await stores.transactions.start(new_tx())
    first = await stores.transactions.stop(started.id, stop_at(30, meter_stop=7500))

    again = await stores.transactions.stop(started.id, stop_at(45, meter_stop=9999, reason="X"))

    assert again == first
    assert await stores.transactions.get(started.id) == first


async def test_stopping_an_unknown_transaction_raises_key_error(stores: Stores) -> None:
    with pytest.raises(KeyError):
        await stores.transactions.stop(42, stop_at(1))


async def test_unknown_stop_is_recorded_as_a_stopped_transaction(stores: Stores) -> None:
    await stores.transactions.start(new_tx())

    recorded = await stores.transactions.record_unknown_stop(
        "CP-1", "77", stop_at(30, meter_stop=4200, reason="EVDisconnected", id_tag="TAG-3")
    )

    assert recorded.id == 2
    assert recorded.station_stop_unknown
    assert recorded.state is TransactionState.STOPPED
    assert (recorded.station_id, recorded.station_tx_id) == ("CP-1", "77")
    assert (recorded.evse_id, recorded.connector_id) == (0, 0)
    assert (recorded.meter_start, recorded.meter_stop, recorded.energy_wh) == (4200, 4200, 0)
    assert recorded.started_at == recorded.stopped_at == at(30)
    assert (recorded.stop_reason, recorded.stop_id_tag) == ("EVDisconnected", "TAG-3")
    assert recorded.stop_received_at == at(30)
    assert await stores.transactions.get(2) == recorded
    assert await stores.transactions.get_by_station_tx_id("CP-1", "77") == recorded


async def test_repeated_unknown_stop_returns_the_same_row(stores: Stores) -> None:
    first = await stores.transactions.record_unknown_stop("CP-1", "77", stop_at(30))
    again = await stores.transactions.record_unknown_stop("CP-1", "77", stop_at(31, 9))
    other_station = await stores.transactions.record_unknown_stop("CP-2", "77", stop_at(30))

    assert again == first
    assert other_station.id == first.id + 1
    assert len(await stores.transactions.search(TransactionFilter(station_id="CP-1"))) == 1


async def test_search_filters_by_station_tag_state_and_start_time(stores: Stores) -> None:
    a, _ = await stores.transactions.start(new_tx(started_at=at(0)))
    b, _ = await stores.transactions.start(new_tx(started_at=at(10), id_tag="TAG-2"))
    c, _ = await stores.transactions.start(new_tx(started_at=at(20), station_id="CP-2"))
    await stores.transactions.stop(a.id, stop_at(5))

    async def ids(**filters: object) -> list[int]:
        found = await stores.transactions.search(TransactionFilter(**filters))  # type: ignore[arg-type]
        return [tx.id for tx in found]

    assert await ids() == [c.id, b.id, a.id]
    assert await ids(station_id="CP-1") == [b.id, a.id]
    assert await ids(id_tag="TAG-2") == [b.id]
    assert await ids(state=TransactionState.STOPPED) == [a.id]
    assert await ids(state=TransactionState.ACTIVE) == [c.id, b.id]
    assert await ids(started_after=at(10)) == [c.id, b.id]  # inclusive
    assert await ids(started_before=at(10)) == [a.id]  # exclusive
    assert await ids(started_after=at(5).astimezone(PARIS), started_before=at(15)) == [b.id]
    assert await ids(station_id="CP-1", id_tag="TAG-1", state=TransactionState.ACTIVE) == []


async def test_search_is_newest_started_first_with_limit_and_offset(stores: Stores) -> None:
    for minute in [3, 1, 4, 2, 0]:
        await stores.transactions.start(new_tx(started_at=at(minute)))
    tie, _ = await stores.transactions.start(new_tx(started_at=at(4), connector_id=2))

    found = await stores.transactions.search(TransactionFilter(limit=3))
    page_2 = await stores.transactions.search(TransactionFilter(limit=3, offset=3))
    beyond = await stores.transactions.search(TransactionFilter(offset=10))

    assert [(tx.started_at, tx.id) for tx in found] == [(at(4), tie.id), (at(4), 3), (at(3), 1)]
    assert [tx.id for tx in page_2] == [4, 2, 5]
    assert beyond == []


# --- meter values ---------------------------------------------------------------------------


async def test_meter_samples_round_trip_every_field_in_utc(stores: Stores) -> None:
    full = sample(
        transaction_id=None,
        timestamp=datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC),
        received_at=datetime(2025, 1, 15, 3, 9, 55, 123456, tzinfo=PARIS),
        value="0xDEADBEEF" * 40,
        measurand="Power.Active.Import",
        unit="W",
        phase="L1-N",
        context="Sample.Periodic",
        location="Outlet",
        format="SignedData",
    )
    await stores.meter_values.add_many([full])

    [stored] = await stores.meter_values.for_station("CP-1")
    assert stored == full
    assert stored.timestamp == datetime.fromisoformat("2025-01-15T02:09:54Z")
    assert stored.timestamp.tzinfo is UTC
    assert stored.received_at.tzinfo is UTC
    assert stored.received_at == datetime(2025, 1, 15, 2, 9, 55, 123456, tzinfo=UTC)


async def test_a_batch_of_samples_sharing_their_times_stores_each_row_right(
    stores: Stores,
) -> None:
    # The SQL backend converts each distinct datetime of a batch once (a per-batch cache).
    same_instant = [at(1), at(1).astimezone(PARIS), at(1)]
    batch = [
        sample(timestamp=when, received_at=at(2), value=str(n))
        for n, when in enumerate([*same_instant, at(3)])
    ]
    await stores.meter_values.add_many(batch)

    stored = sorted(await stores.meter_values.for_station("CP-1"), key=lambda s: s.value)
    assert [(s.value, s.timestamp, s.received_at) for s in stored] == [
        ("0", at(1), at(2)),
        ("1", at(1), at(2)),
        ("2", at(1), at(2)),
        ("3", at(3), at(2)),
    ]
    assert all(s.timestamp.tzinfo is UTC for s in stored)
    with pytest.raises(ValueError, match="naive"):
        await stores.meter_values.add_many([sample(), sample(timestamp=datetime(2025, 1, 1))])


async def test_for_transaction_orders_by_timestamp_then_insertion(stores: Stores) -> None:
    batch = [
        sample(timestamp=at(2), value="c"),
        sample(timestamp=at(1), value="a"),
        sample(timestamp=at(2), value="d"),
        sample(timestamp=at(1), value="b", transaction_id=2),
    ]
    await stores.meter_values.add_many(batch)
    await stores.meter_values.add_many([sample(timestamp=at(1), value="b")])

    assert [s.value for s in await stores.meter_values.for_transaction(1)] == ["a", "b", "c", "d"]
    assert [s.value for s in await stores.meter_values.for_transaction(2)] == ["b"]
    assert await stores.meter_values.for_transaction(3) == []


async def test_for_station_is_newest_first_with_limit(stores: Stores) -> None:
    await stores.meter_values.add_many(
        [
            sample(timestamp=at(1), value="1"),
            sample(timestamp=at(3), value="3"),
            sample(timestamp=at(2), value="2"),
            sample(timestamp=at(3), value="3b"),
            sample(station_id="CP-2", timestamp=at(9), value="x"),
        ]
    )

    assert [s.value for s in await stores.meter_values.for_station("CP-1")] == [
        "3b",
        "3",
        "2",
        "1",
    ]
    assert [s.value for s in await stores.meter_values.for_station("CP-1", limit=2)] == ["3b", "3"]


async def test_a_batch_of_a_thousand_samples_is_stored_in_one_call(stores: Stores) -> None:
    batch = [sample(timestamp=at(n / 60), value=str(n)) for n in range(1000)]
    await stores.meter_values.add_many(batch)
    await stores.meter_values.add_many([])

    assert await stores.meter_values.for_transaction(1) == batch


# --- statuses -------------------------------------------------------------------------------


async def test_status_events_round_trip_every_field(stores: Stores) -> None:
    event = status(
        1,
        ConnectorStatus.FAULTED,
        1,
        error_code="GroundFailure",
        timestamp=None,
        info="RCD tripped",
        vendor_id="Acme",
        vendor_error_code="E42",
    )
    await stores.statuses.add_many([event])

    assert await stores.statuses.history("CP-1") == [event]
    assert await stores.statuses.current("CP-1") == [event]


async def test_current_is_the_latest_event_per_connector(stores: Stores) -> None:
    await stores.statuses.add_many(
        [
            status(2, ConnectorStatus.AVAILABLE, 0),
            status(1, ConnectorStatus.PREPARING, 1),
            status(0, ConnectorStatus.AVAILABLE, 1),
            status(1, ConnectorStatus.CHARGING, 2),  # same connector twice in one batch
        ]
    )
    await stores.statuses.add_many(
        [
            status(2, ConnectorStatus.UNAVAILABLE, 3),
            status(1, ConnectorStatus.AVAILABLE, 0, station_id="CP-2"),
        ]
    )

    current = await stores.statuses.current("CP-1")
    assert [(e.evse_id, e.connector_id, e.status) for e in current] == [
        (0, 0, ConnectorStatus.AVAILABLE),
        (1, 1, ConnectorStatus.CHARGING),
        (2, 1, ConnectorStatus.UNAVAILABLE),
    ]
    assert [e.station_id for e in await stores.statuses.current("CP-2")] == ["CP-2"]
    assert await stores.statuses.current("CP-3") == []
    every = await stores.statuses.current_all()
    assert [(e.station_id, e.evse_id, e.status) for e in every] == [
        ("CP-1", 0, ConnectorStatus.AVAILABLE),
        ("CP-1", 1, ConnectorStatus.CHARGING),
        ("CP-1", 2, ConnectorStatus.UNAVAILABLE),
        ("CP-2", 1, ConnectorStatus.AVAILABLE),
    ]


async def test_status_history_is_newest_first_with_limit(stores: Stores) -> None:
    events = [status(1, ConnectorStatus.AVAILABLE, n) for n in range(5)]
    await stores.statuses.add_many(events[:3])
    await stores.statuses.add_many(events[3:])
    await stores.statuses.add_many([status(1, ConnectorStatus.FAULTED, 9, station_id="CP-2")])
    await stores.statuses.add_many([])

    assert await stores.statuses.history("CP-1") == events[::-1]
    assert await stores.statuses.history("CP-1", limit=2) == [events[4], events[3]]


async def test_recent_faults_are_the_newest_fault_reports_of_every_station(stores: Stores) -> None:
    faulted = status(1, ConnectorStatus.FAULTED, 1, error_code="GroundFailure")
    error_while_charging = status(2, ConnectorStatus.CHARGING, 2, error_code="HighTemperature")
    elsewhere = status(0, ConnectorStatus.FAULTED, 3, station_id="CP-2", error_code="OtherError")
    await stores.statuses.add_many([faulted, status(1, ConnectorStatus.AVAILABLE, 1.5)])
    await stores.statuses.add_many([error_while_charging, elsewhere])
    await stores.statuses.add_many([status(2, ConnectorStatus.AVAILABLE, 4)])  # recovered

    assert await stores.statuses.recent_faults() == [elsewhere, error_while_charging, faulted]
    assert await stores.statuses.recent_faults(limit=1) == [elsewhere]


# --- message log ----------------------------------------------------------------------------


async def test_recent_messages_are_newest_first_with_ids_from_1(stores: Stores) -> None:
    sent = [message(0), message(1, direction=Direction.OUTBOUND, action=None), message(2)]
    await stores.messages.add_many(sent[:2])
    await stores.messages.add_many(sent[2:])
    await stores.messages.add_many([])

    recent = await stores.messages.recent("CP-1")
    assert recent == sent[::-1]
    assert [m.id for m in recent] == [3, 2, 1]
    assert recent[1].direction is Direction.OUTBOUND
    assert recent[1].action is None
    assert [m.id for m in await stores.messages.recent("CP-1", limit=2)] == [3, 2]


async def test_recent_filters_by_station_and_action(stores: Stores) -> None:
    await stores.messages.add_many(
        [
            message(0, "BootNotification"),
            message(1, "Heartbeat"),
            message(2, "Heartbeat", station_id="CP-2"),
            message(3, "Heartbeat"),
        ]
    )

    heartbeats = await stores.messages.recent("CP-1", action="Heartbeat")
    assert [(m.id, m.action) for m in heartbeats] == [(4, "Heartbeat"), (2, "Heartbeat")]
    assert [m.id for m in await stores.messages.recent("CP-2")] == [3]
    assert await stores.messages.recent("CP-1", action="Authorize") == []


async def test_recent_filters_by_direction(stores: Stores) -> None:
    await stores.messages.add_many(
        [message(0), message(1, direction=Direction.OUTBOUND), message(2)]
    )

    outbound = await stores.messages.recent("CP-1", direction=Direction.OUTBOUND)
    inbound = await stores.messages.recent("CP-1", direction=Direction.INBOUND)
    assert [(m.id, m.direction) for m in outbound] == [(2, Direction.OUTBOUND)]
    assert [m.id for m in inbound] == [3, 1]


async def test_recent_since_is_inclusive_and_until_exclusive(stores: Stores) -> None:
    await stores.messages.add_many([message(n) for n in range(5)])

    async def ids(since: datetime | None = None, until: datetime | None = None) -> list[int | None]:
        return [m.id for m in await stores.messages.recent("CP-1", since=since, until=until)]

    assert await ids(since=at(2)) == [5, 4, 3]
    assert await ids(until=at(2)) == [2, 1]
    assert await ids(since=at(1).astimezone(PARIS), until=at(3).astimezone(PARIS)) == [3, 2]
    assert await ids(since=at(3), until=at(3)) == []


async def test_recent_skips_offset_matches_newest_first(stores: Stores) -> None:
    await stores.messages.add_many([message(n) for n in range(5)])
    await stores.messages.add_many([message(9, station_id="CP-2")])

    page = await stores.messages.recent("CP-1", limit=2, offset=1)

    assert [m.id for m in page] == [4, 3]
    assert [m.id for m in await stores.messages.recent("CP-1", offset=4)] == [1]
    assert await stores.messages.recent("CP-1", offset=5) == []


async def test_recent_filters_combine(stores: Stores) -> None:
    await stores.messages.add_many(
        [
            message(0, "BootNotification"),
            message(1, "Heartbeat"),
            message(2, "Heartbeat", direction=Direction.OUTBOUND),
            message(3, "Heartbeat"),
            message(4, "Heartbeat"),
            message(5, "Heartbeat"),
        ]
    )

    found = await stores.messages.recent(
        "CP-1",
        10,
        "Heartbeat",
        direction=Direction.INBOUND,
        since=at(1),
        until=at(5),
        offset=1,
    )

    assert [m.id for m in found] == [4, 2]


async def test_prune_deletes_messages_logged_before_the_cutoff(stores: Stores) -> None:
    await stores.messages.add_many([message(n) for n in range(4)])
    await stores.messages.add_many([message(0, station_id="CP-2")])

    assert await stores.messages.prune(at(2).astimezone(PARIS)) == 3
    assert [m.at for m in await stores.messages.recent("CP-1")] == [at(3), at(2)]
    assert await stores.messages.prune(at(2)) == 0
    await stores.messages.add_many([message(5)])
    assert [m.id for m in await stores.messages.recent("CP-1")] == [6, 4, 3]


# --- SQL backend: migrations and engines ----------------------------------------------------


def _schema_diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrated_schema_matches_the_table_definitions(
    sql_target: tuple[str, str | None],
) -> None:
    url, schema = sql_target
    await upgrade(url, schema=schema)
    await upgrade(url, schema=schema)  # up to date: a no-op

    engine = create_engine(url, schema=schema)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_schema_diff) == []
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        await engine.dispose()
    assert version == "0004"


async def test_sqlite_engine_creates_the_directory_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "csms.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        async with engine.connect() as conn:
            pragmas = [
                await conn.scalar(text(f"PRAGMA {name}"))
                for name in ["journal_mode", "synchronous", "foreign_keys", "busy_timeout"]
            ]
    finally:
        await engine.dispose()

    assert engine.dialect.driver == "aiosqlite"
    assert path.exists()
    assert pragmas == ["wal", 1, 1, 5000]  # synchronous=1 is NORMAL


def test_every_station_field_has_a_column() -> None:
    assert set(stations.c.keys()) == {f.name for f in fields(Station)}


def test_engine_refuses_other_databases_and_bad_schema_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        create_engine("mysql://localhost/csms")
    with pytest.raises(ValueError, match="invalid schema name"):
        create_engine("postgresql://localhost/csms", schema='x"; DROP TABLE stations; --')
    with pytest.raises(ValueError, match="SQLite has none"):
        create_engine(f"sqlite:///{tmp_path / 'x.db'}", schema="csms")


@pytest.mark.postgres
async def test_postgres_nodes_upgrading_together_migrate_once(
    unmigrated_postgres_schema: tuple[str, str],
) -> None:
    url, schema = unmigrated_postgres_schema
    await asyncio.gather(*(upgrade(url, schema=schema) for _ in range(3)))

    engine = create_engine(url, schema=schema)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_schema_diff) == []
    finally:
        await engine.dispose()

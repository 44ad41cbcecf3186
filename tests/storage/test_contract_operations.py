"""The storage contract for operating stations (csms.storage.operations), run on every backend:
memory, SQLite, PostgreSQL. API keys, reservations, and what csms remembers of a station's
configuration, availability, certificates and local authorization list.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from csms.domain.operations import (
    ApiKey,
    ConfigurationEntry,
    ConnectorAvailability,
    InstalledCertificate,
    LocalList,
    LocalListEntry,
    Reservation,
    ReservationStatus,
    Role,
)
from csms.storage import Stores

T0 = datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# --- API keys -------------------------------------------------------------------------------


async def test_added_keys_get_ids_from_1_and_read_back_by_hash(stores: Stores) -> None:
    admin = await stores.api_keys.add("ops", Role.ADMIN, "hash-1", T0.astimezone(PARIS))
    driver = await stores.api_keys.add("app", Role.DRIVER, "hash-2", at(1), owner="alice")

    assert admin == ApiKey(id=1, name="ops", role=Role.ADMIN, key_hash="hash-1", created_at=T0)
    assert driver == ApiKey(
        id=2, name="app", role=Role.DRIVER, key_hash="hash-2", created_at=at(1), owner="alice"
    )
    assert admin.created_at.tzinfo is UTC
    assert await stores.api_keys.by_hash("hash-1") == admin
    assert await stores.api_keys.by_hash("hash-2") == driver


async def test_an_unknown_hash_finds_no_key(stores: Stores) -> None:
    await stores.api_keys.add("ops", Role.ADMIN, "hash-1", T0)

    assert await stores.api_keys.by_hash("hash-9") is None


async def test_adding_a_key_whose_hash_is_stored_raises_value_error(stores: Stores) -> None:
    await stores.api_keys.add("ops", Role.ADMIN, "hash-1", T0)

    with pytest.raises(ValueError, match="already stored"):
        await stores.api_keys.add("other", Role.OPERATOR, "hash-1", at(1))
    assert [key.name for key in await stores.api_keys.all()] == ["ops"]


async def test_all_keys_are_ordered_by_id(stores: Stores) -> None:
    for name in ["c", "a", "b"]:
        await stores.api_keys.add(name, Role.OPERATOR, f"hash-{name}", T0)

    assert [(key.id, key.name) for key in await stores.api_keys.all()] == [
        (1, "c"),
        (2, "a"),
        (3, "b"),
    ]


async def test_revoke_marks_the_key_revoked_and_tells_whether_it_existed(stores: Stores) -> None:
    key = await stores.api_keys.add("ops", Role.ADMIN, "hash-1", T0)
    other = await stores.api_keys.add("app", Role.DRIVER, "hash-2", T0)

    assert await stores.api_keys.revoke(key.id) is True
    assert await stores.api_keys.revoke(key.id) is True  # still there, still revoked
    assert await stores.api_keys.revoke(99) is False
    assert await stores.api_keys.by_hash("hash-1") == replace(key, revoked=True)
    assert await stores.api_keys.by_hash("hash-2") == other


async def test_touch_sets_last_used_at_in_utc_and_ignores_unknown_ids(stores: Stores) -> None:
    key = await stores.api_keys.add("ops", Role.ADMIN, "hash-1", T0)

    await stores.api_keys.touch(key.id, at(5).astimezone(PARIS))
    await stores.api_keys.touch(99, at(6))

    touched = await stores.api_keys.by_hash("hash-1")
    assert touched == replace(key, last_used_at=at(5))
    assert touched is not None
    assert touched.last_used_at is not None
    assert touched.last_used_at.tzinfo is UTC
    assert len(await stores.api_keys.all()) == 1


# --- reservations ---------------------------------------------------------------------------


async def reserve(stores: Stores, expires_at: float = 60, **changes: object) -> Reservation:
    args: dict[str, object] = {
        "station_id": "CP-1",
        "connector_id": 1,
        "id_tag": "TAG-1",
        "expiry_date": at(expires_at),
        "created_at": T0,
        **changes,
    }
    return await stores.reservations.create(**args)  # type: ignore[arg-type]


async def test_created_reservations_are_pending_with_ids_from_1(stores: Stores) -> None:
    first = await stores.reservations.create(
        "CP-1", 1, "TAG-1", at(60).astimezone(PARIS), T0.astimezone(PARIS), parent_id_tag="P"
    )
    second = await reserve(stores, connector_id=2)

    assert first == Reservation(
        id=1,
        station_id="CP-1",
        connector_id=1,
        id_tag="TAG-1",
        expiry_date=at(60),
        created_at=T0,
        status=ReservationStatus.PENDING,
        parent_id_tag="P",
    )
    assert first.expiry_date.tzinfo is first.created_at.tzinfo is UTC
    assert second.id == 2
    assert await stores.reservations.get(1) == first
    assert await stores.reservations.get(2) == second


async def test_an_unknown_reservation_is_none(stores: Stores) -> None:
    assert await stores.reservations.get(1) is None


async def test_set_status_records_the_station_answer_and_the_transaction(stores: Stores) -> None:
    reservation = await reserve(stores)

    accepted = await stores.reservations.set_status(
        reservation.id, ReservationStatus.ACTIVE, station_answer="Accepted"
    )
    used = await stores.reservations.set_status(
        reservation.id, ReservationStatus.USED, transaction_id=42
    )

    assert accepted == replace(
        reservation, status=ReservationStatus.ACTIVE, station_answer="Accepted"
    )
    # What is not given is kept: the answer survives the later change to Used.
    assert used == replace(accepted, status=ReservationStatus.USED, transaction_id=42)
    assert await stores.reservations.get(reservation.id) == used


async def test_set_status_of_an_unknown_reservation_raises_key_error(stores: Stores) -> None:
    with pytest.raises(KeyError):
        await stores.reservations.set_status(7, ReservationStatus.CANCELLED)


async def test_reservation_search_filters_by_station_and_status_newest_first(
    stores: Stores,
) -> None:
    a = await reserve(stores)
    b = await reserve(stores, station_id="CP-2")
    c = await reserve(stores, connector_id=2)
    await stores.reservations.set_status(c.id, ReservationStatus.ACTIVE)

    async def ids(**criteria: object) -> list[int]:
        found = await stores.reservations.search(**criteria)  # type: ignore[arg-type]
        return [r.id for r in found]

    assert await ids() == [c.id, b.id, a.id]
    assert await ids(station_id="CP-1") == [c.id, a.id]
    assert await ids(status=ReservationStatus.PENDING) == [b.id, a.id]
    assert await ids(station_id="CP-1", status=ReservationStatus.ACTIVE) == [c.id]
    assert await ids(station_id="CP-3") == []


async def test_reservation_search_pages_with_limit_and_offset(stores: Stores) -> None:
    for _ in range(5):
        await reserve(stores)

    page = await stores.reservations.search(limit=2, offset=1)

    assert [r.id for r in page] == [4, 3]
    assert [r.id for r in await stores.reservations.search(offset=4)] == [1]


async def test_expire_due_expires_pending_and_active_reservations_at_or_past_expiry(
    stores: Stores,
) -> None:
    pending_due = await reserve(stores, expires_at=10)
    active_due = await reserve(stores, expires_at=5)
    await stores.reservations.set_status(active_due.id, ReservationStatus.ACTIVE)
    exactly_due = await reserve(stores, expires_at=20)
    not_yet = await reserve(stores, expires_at=21)
    for final in [ReservationStatus.USED, ReservationStatus.CANCELLED, ReservationStatus.REJECTED]:
        done = await reserve(stores, expires_at=0)
        await stores.reservations.set_status(done.id, final)

    expired = await stores.reservations.expire_due(at(20).astimezone(PARIS))

    assert [(r.id, r.status) for r in expired] == [
        (pending_due.id, ReservationStatus.EXPIRED),
        (active_due.id, ReservationStatus.EXPIRED),
        (exactly_due.id, ReservationStatus.EXPIRED),
    ]
    assert expired[0] == replace(pending_due, status=ReservationStatus.EXPIRED)
    assert await stores.reservations.get(not_yet.id) == not_yet
    assert [r.status for r in await stores.reservations.search(limit=3)] == [
        ReservationStatus.REJECTED,
        ReservationStatus.CANCELLED,
        ReservationStatus.USED,
    ]
    assert await stores.reservations.expire_due(at(20)) == []


async def test_concurrent_expire_due_expires_each_reservation_once(stores: Stores) -> None:
    for minute in range(10):
        await reserve(stores, expires_at=minute)

    results = await asyncio.gather(*(stores.reservations.expire_due(at(30)) for _ in range(3)))

    expired_ids = [r.id for result in results for r in result]
    assert sorted(expired_ids) == list(range(1, 11))


# --- station configuration and availability -------------------------------------------------


def config(
    key: str, value: str | None, station_id: str = "CP-1", **changes: object
) -> ConfigurationEntry:
    entry = ConfigurationEntry(
        station_id=station_id, key=key, value=value, readonly=False, updated_at=T0
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


async def test_put_configuration_inserts_and_replaces_entries_by_station_and_key(
    stores: Stores,
) -> None:
    await stores.station_state.put_configuration(
        [config("MeterValueSampleInterval", "60"), config("HeartbeatInterval", "300")]
    )
    await stores.station_state.put_configuration(
        [
            config("MeterValueSampleInterval", "30", updated_at=at(1).astimezone(PARIS)),
            config("NumberOfConnectors", "2", readonly=True),
            config("HeartbeatInterval", "900", station_id="CP-2"),
            config("AuthorizationKey", None),
        ]
    )
    await stores.station_state.put_configuration([])

    assert await stores.station_state.configuration("CP-1") == [
        config("AuthorizationKey", None),
        config("HeartbeatInterval", "300"),
        config("MeterValueSampleInterval", "30", updated_at=at(1)),
        config("NumberOfConnectors", "2", readonly=True),
    ]
    assert await stores.station_state.configuration("CP-2") == [
        config("HeartbeatInterval", "900", station_id="CP-2")
    ]


async def test_the_last_entry_for_a_key_in_one_batch_wins(stores: Stores) -> None:
    await stores.station_state.put_configuration(
        [config("HeartbeatInterval", "300"), config("HeartbeatInterval", "600")]
    )

    assert await stores.station_state.configuration("CP-1") == [config("HeartbeatInterval", "600")]


async def test_configuration_of_an_unknown_station_is_empty(stores: Stores) -> None:
    assert await stores.station_state.configuration("CP-9") == []


async def test_put_availability_replaces_by_connector_and_lists_by_connector_id(
    stores: Stores,
) -> None:
    def availability(connector_id: int, value: str, minutes: float = 0) -> ConnectorAvailability:
        return ConnectorAvailability("CP-1", connector_id, value, at(minutes))

    await stores.station_state.put_availability(availability(2, "Operative"))
    await stores.station_state.put_availability(availability(0, "Operative"))
    await stores.station_state.put_availability(
        replace(availability(2, "Inoperative", 5), updated_at=at(5).astimezone(PARIS))
    )
    await stores.station_state.put_availability(ConnectorAvailability("CP-2", 1, "Inoperative", T0))

    stored = await stores.station_state.availability("CP-1")
    assert stored == [availability(0, "Operative"), availability(2, "Inoperative", 5)]
    assert stored[1].updated_at.tzinfo is UTC
    assert await stores.station_state.availability("CP-9") == []


# --- installed certificates -----------------------------------------------------------------

CSMS_ROOT = "CentralSystemRootCertificate"
MANUFACTURER_ROOT = "ManufacturerRootCertificate"


def certificate(
    serial_number: str,
    certificate_type: str = CSMS_ROOT,
    station_id: str = "CP-1",
    **changes: object,
) -> InstalledCertificate:
    cert = InstalledCertificate(
        station_id=station_id,
        certificate_type=certificate_type,
        hash_algorithm="SHA256",
        issuer_name_hash=f"name-{serial_number}",
        issuer_key_hash=f"key-{serial_number}",
        serial_number=serial_number,
        updated_at=T0,
    )
    return replace(cert, **changes)  # type: ignore[arg-type]


async def test_replace_certificates_replaces_only_that_stations_certificates_of_that_type(
    stores: Stores,
) -> None:
    state = stores.station_state
    await state.replace_certificates("CP-1", CSMS_ROOT, [certificate("01"), certificate("02")])
    await state.replace_certificates(
        "CP-1", MANUFACTURER_ROOT, [certificate("m1", MANUFACTURER_ROOT)]
    )
    await state.replace_certificates("CP-2", CSMS_ROOT, [certificate("01", station_id="CP-2")])

    await state.replace_certificates(
        "CP-1", CSMS_ROOT, [certificate("03", updated_at=at(1).astimezone(PARIS))]
    )

    stored = await state.certificates("CP-1")
    assert stored == [certificate("03", updated_at=at(1)), certificate("m1", MANUFACTURER_ROOT)]
    assert stored[0].updated_at.tzinfo is UTC
    assert await state.certificates("CP-2") == [certificate("01", station_id="CP-2")]

    await state.replace_certificates("CP-1", CSMS_ROOT, [])
    assert await state.certificates("CP-1") == [certificate("m1", MANUFACTURER_ROOT)]


@pytest.mark.parametrize(
    "stranger",
    [certificate("01", station_id="CP-2"), certificate("01", MANUFACTURER_ROOT)],
    ids=["another station", "another type"],
)
async def test_replace_certificates_refuses_a_certificate_of_another_station_or_type(
    stores: Stores, stranger: InstalledCertificate
) -> None:
    await stores.station_state.add_certificate(certificate("00"))

    with pytest.raises(ValueError, match="not a"):
        await stores.station_state.replace_certificates("CP-1", CSMS_ROOT, [stranger])
    assert await stores.station_state.certificates("CP-1") == [certificate("00")]


async def test_add_certificate_inserts_or_replaces_by_serial_number_and_issuer_key_hash(
    stores: Stores,
) -> None:
    state = stores.station_state
    await state.add_certificate(certificate("01"))
    await state.add_certificate(certificate("01", issuer_key_hash="other-issuer"))
    await state.add_certificate(certificate("01", hash_algorithm="SHA512", updated_at=at(2)))

    assert await state.certificates("CP-1") == [
        certificate("01", hash_algorithm="SHA512", updated_at=at(2)),
        certificate("01", issuer_key_hash="other-issuer"),
    ]


async def test_remove_certificate_tells_whether_it_was_there(stores: Stores) -> None:
    state = stores.station_state
    await state.add_certificate(certificate("01"))
    await state.add_certificate(certificate("01", station_id="CP-2"))

    assert await state.remove_certificate("CP-1", "01", "wrong-issuer") is False
    assert await state.remove_certificate("CP-1", "01", "key-01") is True
    assert await state.remove_certificate("CP-1", "01", "key-01") is False
    assert await state.certificates("CP-1") == []
    assert await state.certificates("CP-2") == [certificate("01", station_id="CP-2")]


async def test_certificates_are_ordered_by_type_then_serial_number(stores: Stores) -> None:
    for cert in [
        certificate("b", MANUFACTURER_ROOT),
        certificate("c"),
        certificate("a", MANUFACTURER_ROOT, issuer_key_hash="key-m-a"),
        certificate("a"),
    ]:
        await stores.station_state.add_certificate(cert)

    stored = await stores.station_state.certificates("CP-1")

    assert [(c.certificate_type, c.serial_number) for c in stored] == [
        (CSMS_ROOT, "a"),
        (CSMS_ROOT, "c"),
        (MANUFACTURER_ROOT, "a"),
        (MANUFACTURER_ROOT, "b"),
    ]
    assert await stores.station_state.certificates("CP-9") == []


# --- local authorization lists --------------------------------------------------------------


async def test_put_local_list_stores_entries_by_id_tag_without_deleted_ones(
    stores: Stores,
) -> None:
    await stores.station_state.put_local_list(
        LocalList(
            station_id="CP-1",
            version=3,
            entries=(
                LocalListEntry("TAG-B", "Accepted", expiry_date=at(60).astimezone(PARIS)),
                LocalListEntry("TAG-C"),  # deleted: not stored
                LocalListEntry("TAG-A", "Blocked", parent_id_tag="GROUP"),
            ),
            updated_at=T0.astimezone(PARIS),
        )
    )

    stored = await stores.station_state.local_list("CP-1")
    assert stored == LocalList(
        station_id="CP-1",
        version=3,
        entries=(
            LocalListEntry("TAG-A", "Blocked", parent_id_tag="GROUP"),
            LocalListEntry("TAG-B", "Accepted", expiry_date=at(60)),
        ),
        updated_at=T0,
    )
    assert stored is not None
    assert stored.updated_at.tzinfo is UTC
    assert stored.entries[1].expiry_date is not None
    assert stored.entries[1].expiry_date.tzinfo is UTC


async def test_put_local_list_replaces_the_whole_list_of_that_station(stores: Stores) -> None:
    state = stores.station_state
    other = LocalList("CP-2", 1, (LocalListEntry("TAG-X", "Accepted"),), T0)
    await state.put_local_list(other)
    await state.put_local_list(
        LocalList(
            "CP-1",
            1,
            (LocalListEntry("TAG-A", "Accepted"), LocalListEntry("TAG-B", "Accepted")),
            T0,
        )
    )

    newer = LocalList("CP-1", 2, (LocalListEntry("TAG-C", "Expired"),), at(1))
    await state.put_local_list(newer)

    assert await state.local_list("CP-1") == newer
    assert await state.local_list("CP-2") == other


async def test_the_last_entry_for_an_id_tag_in_a_local_list_wins(stores: Stores) -> None:
    await stores.station_state.put_local_list(
        LocalList(
            "CP-1",
            1,
            (LocalListEntry("TAG-A", "Accepted"), LocalListEntry("TAG-A", "Blocked")),
            T0,
        )
    )

    stored = await stores.station_state.local_list("CP-1")
    assert stored is not None
    assert stored.entries == (LocalListEntry("TAG-A", "Blocked"),)


async def test_an_empty_local_list_is_kept_with_its_version(stores: Stores) -> None:
    await stores.station_state.put_local_list(
        LocalList("CP-1", 4, (LocalListEntry("TAG-A", "Accepted"),), T0)
    )
    empty = LocalList("CP-1", 5, (), at(1))

    await stores.station_state.put_local_list(empty)

    assert await stores.station_state.local_list("CP-1") == empty


async def test_local_list_of_an_unknown_station_is_none(stores: Stores) -> None:
    assert await stores.station_state.local_list("CP-9") is None

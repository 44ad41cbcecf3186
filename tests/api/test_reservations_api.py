"""Reservations and local lists through the API, against a simulated station."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from csms.domain import AuthorizationStatus, IdTag
from csms.storage.memory import memory_stores
from tests.api.live_site import TAG, Live, live_site, until


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    async with live_site(tmp_path, stores=memory_stores()) as site:
        yield site


def in_(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def connector_status(live: Live, connector: int) -> str:
    current = await live.app.stores.statuses.current("CP1")
    return next(s.status.value for s in current if s.evse_id == connector)


async def test_reserve_cancel_and_list(live: Live) -> None:
    body = {"station_id": "CP1", "connector_id": 1, "id_tag": TAG, "expiry_date": in_(3600)}
    created = await live.operator.post("/api/v1/reservations", json=body)
    assert created.status_code == 201, created.text
    reservation = created.json()
    assert (reservation["status"], reservation["station_answer"]) == ("Active", "Accepted")
    assert live.station.connector(1).reservation is not None

    async def reserved() -> bool:
        return await connector_status(live, 1) == "Reserved"

    await until(reserved)
    again = await live.operator.post("/api/v1/reservations", json=body)
    assert (again.json()["status"], again.json()["station_answer"]) == ("Rejected", "Occupied")

    cancelled = await live.operator.post(f"/api/v1/reservations/{reservation['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "Accepted"
    assert cancelled.json()["reservation"]["status"] == "Cancelled"
    twice = await live.operator.post(f"/api/v1/reservations/{reservation['id']}/cancel")
    assert (twice.status_code, twice.json()["error"]) == (409, "reservation_not_live")

    listed = (await live.operator.get("/api/v1/reservations?station_id=CP1")).json()
    assert [(r["id"], r["status"]) for r in listed["items"]] == [
        (again.json()["id"], "Rejected"), (reservation["id"], "Cancelled"),
    ]
    active = (await live.operator.get("/api/v1/reservations?status=Active")).json()
    assert active["items"] == []


async def test_a_reservation_expires_in_the_background(live: Live) -> None:
    body = {"station_id": "CP1", "connector_id": 2, "id_tag": TAG, "expiry_date": in_(1.5)}
    created = (await live.operator.post("/api/v1/reservations", json=body)).json()
    assert created["status"] == "Active"

    async def expired() -> bool:
        found = (await live.operator.get(f"/api/v1/reservations/{created['id']}")).json()
        return bool(found["status"] == "Expired")

    await until(expired, within=8)


async def test_a_start_with_the_reservation_uses_it(live: Live) -> None:
    body = {"station_id": "CP1", "connector_id": 2, "id_tag": TAG, "expiry_date": in_(3600)}
    reservation = (await live.operator.post("/api/v1/reservations", json=body)).json()
    start = {"connectorId": 2, "idTag": TAG}
    started = await live.operator.post(
        "/api/v1/stations/CP1/commands/RemoteStartTransaction?wait_for_transaction=5", json=start
    )
    transaction_id = started.json()["transaction_id"]
    assert transaction_id is not None
    used = (await live.operator.get(f"/api/v1/reservations/{reservation['id']}")).json()
    assert (used["status"], used["transaction_id"]) == ("Used", transaction_id)


async def test_reservation_errors(live: Live) -> None:
    past = {"station_id": "CP1", "connector_id": 1, "id_tag": TAG, "expiry_date": in_(-60)}
    assert (await live.operator.post("/api/v1/reservations", json=past)).status_code == 422
    long_tag = {**past, "expiry_date": in_(60), "id_tag": "x" * 21}
    assert (await live.operator.post("/api/v1/reservations", json=long_tag)).status_code == 422
    unknown = {**past, "expiry_date": in_(60), "station_id": "NOPE"}
    assert (await live.operator.post("/api/v1/reservations", json=unknown)).status_code == 404
    assert (await live.operator.get("/api/v1/reservations/99")).status_code == 404
    driver = await live.client("driver", owner="alice")
    assert (await driver.get("/api/v1/reservations")).status_code == 403


async def test_local_list_full_then_differential_from_csms_tags(live: Live) -> None:
    held = (await live.operator.get("/api/v1/stations/CP1/local-list")).json()
    assert (held["version"], held["entries"]) == (None, [])
    await live.app.stores.id_tags.upsert(IdTag("BLOCKED-1", AuthorizationStatus.BLOCKED))
    full = await live.operator.post("/api/v1/stations/CP1/local-list", json={"update_type": "Full"})
    assert full.status_code == 200, full.text
    assert (full.json()["status"], full.json()["list_version"], full.json()["sent"]) == ("Accepted", 1, 2)
    assert live.station.local_list_version == 1
    assert set(live.station.local_list) == {TAG, "BLOCKED-1"}

    await live.app.stores.id_tags.delete("BLOCKED-1")
    await live.app.stores.id_tags.upsert(IdTag("NEW-1"))
    diff = await live.operator.post(
        "/api/v1/stations/CP1/local-list", json={"update_type": "Differential"}
    )
    assert (diff.json()["list_version"], diff.json()["sent"]) == (2, 2)
    assert set(live.station.local_list) == {TAG, "NEW-1"}
    held = diff.json()["held"]
    assert [e["id_tag"] for e in held["entries"]] == ["NEW-1", TAG]

    version = await live.operator.get("/api/v1/stations/CP1/local-list/version")
    assert version.json() == {"station_id": "CP1", "list_version": 2}


async def test_local_list_with_given_entries_and_a_refusal(live: Live) -> None:
    body = {
        "update_type": "Full",
        "list_version": 7,
        "entries": [{"id_tag": "A", "status": "Accepted", "expiry_date": "2030-01-01T00:00:00Z"}],
    }
    pushed = await live.operator.post("/api/v1/stations/CP1/local-list", json=body)
    assert pushed.json()["held"]["version"] == 7
    live.station.script("SendLocalList", status="VersionMismatch")
    refused = await live.operator.post("/api/v1/stations/CP1/local-list", json={"update_type": "Full"})
    assert refused.json()["status"] == "VersionMismatch"
    assert refused.json()["held"]["version"] == 7  # unchanged
    removal_in_full = {"update_type": "Full", "entries": [{"id_tag": "A"}]}
    invalid = await live.operator.post("/api/v1/stations/CP1/local-list", json=removal_in_full)
    assert invalid.status_code == 422

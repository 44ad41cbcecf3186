"""Stations: list with filters and paging, detail, create/update/delete, roles."""

from __future__ import annotations

import httpx
import pytest

from csms.app import App
from csms.domain import ConnectorStatus, RegistrationStatus, StatusEvent
from csms.domain.operations import ConfigurationEntry
from csms.services import Admission
from csms.storage.memory import memory_stores
from csms.testing import (
    FakeClock,
    RawStationClient,
    api_client,
    issue_key,
    loopback_settings,
    running_app,
)
from tests.api.conftest import boot_station


async def test_list_is_ordered_and_paged(app: App, operator: httpx.AsyncClient) -> None:
    for n in range(5):
        await boot_station(app, f"CP{n}")
    first = (await operator.get("/api/v1/stations", params={"limit": 2})).json()
    assert [s["id"] for s in first["items"]] == ["CP0", "CP1"]
    assert (first["limit"], first["offset"], first["next_offset"]) == (2, 0, 2)
    last = (await operator.get("/api/v1/stations", params={"limit": 2, "offset": 4})).json()
    assert [s["id"] for s in last["items"]] == ["CP4"]
    assert last["next_offset"] is None


async def test_list_filters_by_status_and_vendor(app: App, operator: httpx.AsyncClient) -> None:
    await boot_station(app, "A", vendor="ACME")
    await boot_station(app, "B", vendor="Other")
    await app.services.stations.update("B", registration_status=RegistrationStatus.PENDING)
    by_status = await operator.get("/api/v1/stations", params={"status": "Pending"})
    assert [s["id"] for s in by_status.json()["items"]] == ["B"]
    by_vendor = await operator.get("/api/v1/stations", params={"vendor": "acme"})
    assert [s["id"] for s in by_vendor.json()["items"]] == ["A"]
    offline = await operator.get("/api/v1/stations", params={"online": "false"})
    assert len(offline.json()["items"]) == 2
    bad = await operator.get("/api/v1/stations", params={"status": "Sleeping"})
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "query.status"
    too_big = await operator.get("/api/v1/stations", params={"limit": 5000})
    assert too_big.json()["detail"].startswith("query.limit")


async def test_detail_shows_boot_data_connectors_and_configuration(
    app: App, clock: FakeClock, operator: httpx.AsyncClient, driver: httpx.AsyncClient
) -> None:
    await boot_station(app, "CP1")
    now = clock.now()
    await app.stores.statuses.add_many(
        [StatusEvent("CP1", 1, 1, ConnectorStatus.CHARGING, "NoError", now, now)]
    )
    await app.stores.station_state.put_configuration(
        [ConfigurationEntry("CP1", "HeartbeatInterval", "300", False, now)]
    )
    body = (await operator.get("/api/v1/stations/CP1")).json()
    assert (body["vendor"], body["model"], body["serial_number"]) == ("ACME", "Fast 22", "SN-CP1")
    assert body["firmware_version"] == "1.2.3"
    assert body["online"] is False
    assert body["online_since"] is None
    assert body["last_seen_at"] == "2025-01-15T02:09:54Z"
    assert body["connectors"][0]["status"] == "Charging"
    assert body["configuration"][0]["key"] == "HeartbeatInterval"
    assert body["availability"] == []
    as_driver = (await driver.get("/api/v1/stations/CP1")).json()
    assert as_driver["connectors"][0]["status"] == "Charging"
    assert as_driver["configuration"] is None
    assert as_driver["availability"] is None


async def test_unknown_station_is_404(operator: httpx.AsyncClient) -> None:
    for response in (
        await operator.get("/api/v1/stations/NOPE"),
        await operator.patch("/api/v1/stations/NOPE", json={"lenient": True}),
        await operator.delete("/api/v1/stations/NOPE"),
        await operator.get("/api/v1/stations/NOPE/messages"),
    ):
        assert response.status_code == 404
        assert response.json() == {"error": "station_not_found", "detail": "unknown station NOPE"}


async def test_create_registers_for_the_handshake_at_once(app: App, operator: httpx.AsyncClient) -> None:
    response = await operator.post(
        "/api/v1/stations",
        json={"id": "CP7", "password": "a-long-secret", "lenient": True, "registration_status": "Pending"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["id"], body["has_password"], body["lenient"]) == ("CP7", True, True)
    assert body["registration_status"] == "Pending"
    assert app.services.directory.admit("CP7", "a-long-secret") is Admission.ADMIT
    assert app.services.directory.admit("CP7", "wrong") is Admission.UNAUTHORIZED
    again = await operator.post("/api/v1/stations", json={"id": "CP7"})
    assert again.status_code == 409
    assert again.json()["error"] == "station_exists"


@pytest.mark.parametrize("bad_id", ["", "has space", "a/b", "x" * 49])
async def test_create_refuses_bad_ids(operator: httpx.AsyncClient, bad_id: str) -> None:
    response = await operator.post("/api/v1/stations", json={"id": bad_id})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "body.id"


async def test_update_changes_password_lenient_and_status(app: App, operator: httpx.AsyncClient) -> None:
    await boot_station(app, "CP1", password="old-secret")
    changed = await operator.patch(
        "/api/v1/stations/CP1", json={"password": "new-secret", "registration_status": "Rejected"}
    )
    assert changed.status_code == 200
    assert changed.json()["registration_status"] == "Rejected"
    assert app.services.directory.admit("CP1", "new-secret") is Admission.ADMIT
    assert app.services.directory.admit("CP1", "old-secret") is Admission.UNAUTHORIZED
    lenient = (await operator.patch("/api/v1/stations/CP1", json={"lenient": True})).json()
    assert (lenient["lenient"], lenient["has_password"]) == (True, True)
    cleared = (await operator.patch("/api/v1/stations/CP1", json={"password": None})).json()
    assert cleared["has_password"] is False
    assert app.services.directory.admit("CP1", None) is Admission.ADMIT
    unknown_field = await operator.patch("/api/v1/stations/CP1", json={"vendor": "x"})
    assert unknown_field.status_code == 422


async def test_delete_forgets_the_station(app: App, operator: httpx.AsyncClient) -> None:
    await boot_station(app, "CP1")
    assert (await operator.delete("/api/v1/stations/CP1")).status_code == 204
    assert (await operator.get("/api/v1/stations/CP1")).status_code == 404
    assert app.services.directory.admit("CP1", None) is Admission.UNKNOWN


async def test_roles(
    app: App,
    admin: httpx.AsyncClient,
    driver: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
) -> None:
    await boot_station(app, "CP1")
    assert (await admin.get("/api/v1/stations")).status_code == 200
    assert (await driver.get("/api/v1/stations")).status_code == 200
    assert (await driver.get("/api/v1/stations/CP1")).status_code == 200
    writes = [
        ("POST", "/api/v1/stations", {"id": "CP2"}),
        ("PATCH", "/api/v1/stations/CP1", {"lenient": True}),
        ("DELETE", "/api/v1/stations/CP1", None),
    ]
    for method, path, body in writes:
        assert (await driver.request(method, path, json=body)).status_code == 403
        assert (await anonymous.request(method, path, json=body)).status_code == 401
    assert (await driver.get("/api/v1/stations/CP1/messages")).status_code == 403
    assert (await anonymous.get("/api/v1/stations")).status_code == 401
    assert (await admin.post("/api/v1/stations", json={"id": "CP2"})).status_code == 201


async def test_online_and_online_since_come_from_the_open_connection() -> None:
    clock = FakeClock()
    settings = loopback_settings("sqlite+aiosqlite:///unused.db")
    async with running_app(settings, stores=memory_stores(clock.now)) as app:
        await boot_station(app, "CP1")
        await boot_station(app, "CP2")
        key = await issue_key(app, "operator")
        url = f"ws://127.0.0.1:{app.ocpp_port}/ocpp/CP1"
        async with RawStationClient.connect(url) as station, api_client(app, key) as http:
            await station.call("Heartbeat", {})
            online = (await http.get("/api/v1/stations", params={"online": "true"})).json()
            assert [s["id"] for s in online["items"]] == ["CP1"]
            assert online["items"][0]["online_since"] is not None
            detail = (await http.get("/api/v1/stations/CP1")).json()
            assert detail["online"] is True
            offline = (await http.get("/api/v1/stations", params={"online": "false"})).json()
            assert [s["id"] for s in offline["items"]] == ["CP2"]


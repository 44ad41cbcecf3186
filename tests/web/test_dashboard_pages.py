"""Dashboard pages over in-memory stores: lists page on the server, commands report why
they failed, forms change what they say, CSV exports the filtered sessions."""

from __future__ import annotations

import httpx

from csms.app import App
from csms.domain import ConnectorStatus, IdTag, StatusEvent
from csms.storage import BootInfo, NewTransaction
from csms.testing import FakeClock
from tests.web.conftest import csrf_of


async def test_stations_are_searched_and_paged_on_the_server(app: App, staff_client: httpx.AsyncClient) -> None:
    for n in range(60):
        await app.services.stations.add(f"CP{n:03d}")
    first = await staff_client.get("/stations")
    assert first.status_code == 200
    assert first.text.count("data-station=") == 50
    assert 'rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    second = await staff_client.get("/stations?page=2")
    assert second.text.count("data-station=") == 10
    assert 'rel="prev"' in second.text
    found = await staff_client.get("/stations?q=cp05")
    assert found.text.count("data-station=") == 10
    offline = await staff_client.get("/stations?state=online")
    assert offline.text.count("data-station=") == 0


async def test_station_page_shows_boot_information(app: App, staff_client: httpx.AsyncClient) -> None:
    await app.services.stations.add("CP1")
    await app.stores.stations.record_boot("CP1", BootInfo("1.6", "ACME", "Fast 22", firmware_version="1.4.2"), app.services.clock.now())
    page = await staff_client.get("/stations/CP1")
    assert page.status_code == 200
    for text in ("ACME", "Fast 22", "1.4.2", "offline", "RemoteStartTransaction", "SignedUpdateFirmware"):
        assert text in page.text
    assert (await staff_client.get("/stations/NOPE")).status_code == 404


async def test_a_command_to_an_offline_station_says_so(app: App, staff_client: httpx.AsyncClient) -> None:
    await app.services.stations.add("CP1")
    page = await staff_client.get("/stations/CP1")
    csrf = csrf_of(page.text)
    offline = await staff_client.post("/stations/CP1/commands/Reset", data={"csrf": csrf, "type": "Soft"})
    assert "The station is offline." in offline.text
    invalid = await staff_client.post("/stations/CP1/commands/Reset", data={"csrf": csrf, "type": "Warm"})
    assert "Invalid input" in invalid.text
    assert "type" in invalid.text
    forged = await staff_client.post("/stations/CP1/commands/Reset", data={"csrf": "x", "type": "Soft"})
    assert forged.status_code == 403


async def test_tags_are_added_blocked_and_deleted(app: App, staff_client: httpx.AsyncClient) -> None:
    csrf = csrf_of((await staff_client.get("/tags")).text)
    added = await staff_client.post("/tags", data={"csrf": csrf, "id_tag": "CARD-1", "owner": "alice", "status": "Accepted"}, follow_redirects=True)
    assert "Id tag CARD-1 added." in added.text
    assert 'data-tag="CARD-1"' in added.text
    await staff_client.post("/tags/CARD-1/status", data={"csrf": csrf, "status": "Blocked"})
    tag = await app.services.tags.get("CARD-1")
    assert tag is not None
    assert tag.status.value == "Blocked"
    again = await staff_client.post("/tags", data={"csrf": csrf, "id_tag": "CARD-1"}, follow_redirects=True)
    assert "exists already" in again.text
    await staff_client.post("/tags/CARD-1/delete", data={"csrf": csrf})
    assert await app.services.tags.get("CARD-1") is None


async def test_sessions_export_as_csv_in_the_site_zone(app: App, clock: FakeClock, staff_client: httpx.AsyncClient) -> None:
    await app.services.tags.create(IdTag("remote-11902"))
    now = clock.now()
    await app.stores.transactions.start(NewTransaction("CP1", 1, 1, "remote-11902", 0, now, now))
    listing = await staff_client.get("/sessions?station=CP1")
    assert 'data-transaction="1"' in listing.text
    exported = await staff_client.get("/sessions.csv?station=CP1")
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.strip().splitlines()
    assert lines[0].startswith("transaction_id,station_id")
    assert lines[1].startswith("1,CP1,1,remote-11902,Active,2025-01-15T02:09:54+00:00")
    detail = await staff_client.get("/sessions/1")
    assert "remote-11902" in detail.text
    assert "No meter values yet." in detail.text


async def test_recent_faults_stay_on_the_overview_after_the_connector_recovers(
    app: App, staff_client: httpx.AsyncClient
) -> None:
    await app.services.stations.add("CP1")
    now = app.services.clock.now()
    faulted = StatusEvent("CP1", 1, 1, ConnectorStatus.FAULTED, "GroundFailure", now, now)
    recovered = StatusEvent("CP1", 1, 1, ConnectorStatus.AVAILABLE, "NoError", now, now)
    await app.stores.statuses.add_many([faulted, recovered])
    page = await staff_client.get("/")
    assert page.status_code == 200
    assert "GroundFailure" in page.text

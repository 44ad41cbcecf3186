"""The driver app over in-memory stores (no station connected): clear messages, and
only the driver's own sessions."""

from __future__ import annotations

import httpx

from csms.app import App
from csms.domain import ConnectorStatus, IdTag, StatusEvent
from csms.storage import NewTransaction
from csms.testing import FakeClock
from tests.web.conftest import csrf_of


async def _station_with_connector(app: App, clock: FakeClock) -> None:
    await app.services.stations.add("CP1")
    now = clock.now()
    await app.stores.statuses.add_many(
        [StatusEvent("CP1", 1, 1, ConnectorStatus.AVAILABLE, "NoError", now, now)]
    )


async def test_an_offline_station_cannot_be_started(app: App, clock: FakeClock, driver_client: httpx.AsyncClient) -> None:
    await _station_with_connector(app, clock)
    await app.services.tags.create(IdTag("CARD-A", owner="alice"))
    page = await driver_client.get("/app/s/CP1/1")
    assert page.status_code == 200
    assert 'data-state="offline"' in page.text
    refused = await driver_client.post("/app/s/CP1/1/start", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 409
    assert "The station is offline." in refused.text
    assert (await driver_client.get("/app/s/CP1/9")).status_code == 404


async def test_drivers_see_only_their_own_sessions(app: App, clock: FakeClock, driver_client: httpx.AsyncClient) -> None:
    await app.services.tags.create(IdTag("CARD-A", owner="alice"))
    await app.services.tags.create(IdTag("CARD-B", owner="bob"))
    now = clock.now()
    mine, _ = await app.stores.transactions.start(NewTransaction("CP1", 1, 1, "CARD-A", 0, now, now))
    theirs, _ = await app.stores.transactions.start(NewTransaction("CP1", 2, 1, "CARD-B", 0, now, now))
    assert (await driver_client.get(f"/app/session/{mine.id}")).status_code == 200
    assert (await driver_client.get(f"/app/session/{theirs.id}")).status_code == 404
    orders = await driver_client.get("/app/orders")
    assert f'data-order="{mine.id}"' in orders.text
    assert f'data-order="{theirs.id}"' not in orders.text
    home = await driver_client.get("/app")
    assert f'data-active-session="{mine.id}"' in home.text


async def test_the_code_form_leads_to_the_connector_page(driver_client: httpx.AsyncClient) -> None:
    response = await driver_client.get("/app/go?station=CP%2F1&connector=2")
    assert response.headers["location"] == "/app/s/CP%2F1/2"

"""The per-station OCPP message log: paging and filters."""

from __future__ import annotations

from datetime import timedelta

import httpx

from csms.app import App
from csms.domain import Direction, OcppMessage
from csms.testing import FakeClock
from tests.api.conftest import boot_station


async def _log(app: App, clock: FakeClock) -> None:
    start = clock.now()
    frames = [
        (Direction.INBOUND, "Heartbeat", '[2,"1","Heartbeat",{}]'),
        (Direction.OUTBOUND, "Heartbeat", '[3,"1",{"currentTime":"2025-01-15T02:09:54Z"}]'),
        (Direction.INBOUND, "MeterValues", '[2,"2","MeterValues",{}]'),
        (Direction.OUTBOUND, "MeterValues", '[3,"2",{}]'),
    ]
    await app.stores.messages.add_many(
        [
            OcppMessage("CP1", direction, start + timedelta(minutes=n), frame, action, str(n // 2 + 1))
            for n, (direction, action, frame) in enumerate(frames)
        ]
    )


async def test_newest_first_and_paged(app: App, clock: FakeClock, operator: httpx.AsyncClient) -> None:
    await boot_station(app, "CP1")
    await _log(app, clock)
    page = (await operator.get("/api/v1/stations/CP1/messages", params={"limit": 3})).json()
    assert page["items"][0]["frame"] == '[3,"2",{}]'
    assert page["next_offset"] == 3
    rest = (await operator.get("/api/v1/stations/CP1/messages", params={"offset": 3})).json()
    assert [m["frame"] for m in rest["items"]] == ['[2,"1","Heartbeat",{}]']
    assert rest["items"][0]["direction"] == "in"
    assert rest["items"][0]["message_id"] == "1"


async def test_filters(app: App, clock: FakeClock, operator: httpx.AsyncClient) -> None:
    await boot_station(app, "CP1")
    await _log(app, clock)
    path = "/api/v1/stations/CP1/messages"

    async def frames(**params: str) -> list[str]:
        response = await operator.get(path, params=params)
        assert response.status_code == 200, response.text
        return [m["frame"] for m in response.json()["items"]]

    assert await frames(action="MeterValues", direction="in") == ['[2,"2","MeterValues",{}]']
    assert len(await frames(direction="out")) == 2
    assert len(await frames(since="2025-01-15T02:11:54Z")) == 2
    assert len(await frames(until="2025-01-15T02:11:54")) == 2  # no offset: UTC
    bad = await operator.get(path, params={"direction": "sideways"})
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "query.direction"


async def test_admin_reads_too(app: App, admin: httpx.AsyncClient) -> None:
    await boot_station(app, "CP1")
    response = await admin.get("/api/v1/stations/CP1/messages")
    assert response.json() == {"items": [], "limit": 50, "offset": 0, "next_offset": None}

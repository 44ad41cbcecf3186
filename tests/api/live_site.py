"""csms running on loopback with simulated stations connected, and API clients over it:
the API tests of the operations (commands, reservations, local lists, driver, events)
drive real stations through the real gateway."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from csms.app import App
from csms.domain import IdTag
from csms.simulator import SimulatedStation, StationConfig
from csms.storage import Stores
from csms.testing import api_client, issue_key, loopback_settings, running_app

TAG = "remote-11902"


@dataclass
class Live:
    app: App
    operator: httpx.AsyncClient
    operator_key: str
    stack: AsyncExitStack
    stations: dict[str, SimulatedStation] = field(default_factory=dict)

    @property
    def station(self) -> SimulatedStation:
        return self.stations["CP1"]

    async def connect(self, station_id: str, **config: object) -> SimulatedStation:
        """Register, connect, boot and report statuses of a simulated station."""
        if await self.app.services.stations.get(station_id) is None:
            await self.app.services.stations.add(station_id)
        url = f"ws://127.0.0.1:{self.app.ocpp_port}/ocpp/{station_id}"
        settings: dict[str, object] = {
            "meter_interval": 0.05, "meter_time_scale": 3600.0, "action_delay": 0.01,
        }
        settings.update(config)
        station = SimulatedStation(StationConfig(url=url, **settings))  # type: ignore[arg-type]
        self.stations[station_id] = station
        self.stack.push_async_callback(station.close)
        await station.connect()
        await station.boot()
        await station.send_statuses()
        return station

    async def client(self, role: str, owner: str | None = None) -> httpx.AsyncClient:
        key = await issue_key(self.app, role, owner=owner)
        return await self.stack.enter_async_context(api_client(self.app, key))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.app.http_port}{path}"

    async def events(self, query: str = "") -> EventStream:
        """The live event stream over real HTTP (an ASGI client does not stream)."""
        client = await self.stack.enter_async_context(httpx.AsyncClient(timeout=30))
        headers = {"Authorization": f"Bearer {self.operator_key}"}
        request = client.stream("GET", self.url(f"/api/v1/events{query}"), headers=headers)
        response = await self.stack.enter_async_context(request)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return EventStream(response.aiter_lines())


@dataclass
class EventStream:
    """Server-Sent Events as (type, parsed data), read line by line."""

    lines: AsyncIterator[str]
    seen: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def next(self, within: float = 5.0) -> tuple[str, dict[str, Any]]:
        kind, data = "message", ""
        async with asyncio.timeout(within):
            async for line in self.lines:
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and data:
                    event = (kind, json.loads(data))
                    self.seen.append(event)
                    return event
        raise EOFError("the event stream ended")

    async def first(self, kind: str, within: float = 5.0, **match: object) -> dict[str, Any]:
        """The next event of ``kind`` whose data has the ``match`` items."""
        async with asyncio.timeout(within):
            while True:
                got, event = await self.next(within)
                if got == kind and all(event["data"].get(k) == v for k, v in match.items()):
                    return event


@asynccontextmanager
async def live_site(tmp_path: Path, *, stores: Stores | None = None) -> AsyncIterator[Live]:
    """csms with station CP1 connected (2 connectors) and the seed's tag registered."""
    settings = loopback_settings(f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}")
    async with AsyncExitStack() as stack:
        app = await stack.enter_async_context(running_app(settings, stores=stores))
        await app.stores.id_tags.upsert(IdTag(TAG, owner="alice"))
        key = await issue_key(app, "operator")
        operator = await stack.enter_async_context(api_client(app, key))
        live = Live(app, operator, key, stack)
        await live.connect("CP1")
        yield live


async def until(condition: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110 - polling the stores
            await asyncio.sleep(0.02)

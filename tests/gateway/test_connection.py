"""A station's CALLs over a real socket: one at a time, in order, by the connection's
task, which keeps nothing of them while idle; disconnect and shutdown with CALLs in
progress."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator

import msgspec
import pytest

from csms.app import App
from csms.handlers.routing import Dispatched, StationContext
from csms.ocpp import CallReceived, OcppVersion
from csms.storage.memory import memory_stores
from csms.testing import RawStationClient, loopback_settings, running_app


class GatedRoutes:
    """A route table whose every CALL waits until the test opens its gate."""

    def __init__(self) -> None:
        self.gates: dict[str, asyncio.Event] = {}
        self.started: list[str] = []
        self.finished: list[str] = []
        self.cancelled: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self.fail_with: Exception | None = None

    def gate(self, action: str) -> asyncio.Event:
        return self.gates.setdefault(action, asyncio.Event())

    async def wait_started(self, action: str) -> None:
        while action not in self.started:  # noqa: ASYNC110 - a test helper, polled briefly
            await asyncio.sleep(0.005)

    async def dispatch(self, ctx: StationContext, action: str, payload: msgspec.Raw) -> Dispatched:
        self.started.append(action)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await self.gate(action).wait()
            if self.fail_with is not None:
                raise self.fail_with
        except asyncio.CancelledError:
            self.cancelled.append(action)
            raise
        finally:
            self.running -= 1
        self.finished.append(action)
        return Dispatched(b'{"action":"%s"}' % action.encode())


@pytest.fixture
async def app() -> AsyncIterator[App]:
    settings = loopback_settings("sqlite+aiosqlite:///unused.db")
    async with running_app(settings, stores=memory_stores()) as running:
        await running.services.stations.add("CP1")
        await running.services.directory.refresh()
        yield running


@pytest.fixture
def routes(app: App) -> GatedRoutes:
    gated = GatedRoutes()
    app.gateway.routes[OcppVersion.V16] = gated  # type: ignore[assignment]
    return gated


def url(app: App) -> str:
    return f"ws://127.0.0.1:{app.ocpp_port}/ocpp/CP1"


async def test_an_idle_station_keeps_no_call_alive(app: App, routes: GatedRoutes) -> None:
    routes.gate("Heartbeat").set()
    async with RawStationClient.connect(url(app)) as cp:
        assert (await cp.call("Heartbeat", {}))[2] == {"action": "Heartbeat"}
        await asyncio.sleep(0.01)
        connection = app.gateway.connection("CP1")
        assert connection is not None
        assert connection._inbox is None  # no list while nothing queues
        assert not any(isinstance(o, CallReceived) for o in gc.get_objects())


async def test_a_socket_brings_no_logger_and_no_aiofastnet_transport(
    app: App, routes: GatedRoutes
) -> None:
    """Both cost memory in every idle connection (picows' defaults; see Gateway.start)."""
    routes.gate("Heartbeat").set()
    loggers = sum(isinstance(o, logging.Logger) for o in gc.get_objects())
    async with RawStationClient.connect(url(app)) as cp:
        await cp.call("Heartbeat", {})
        connection = app.gateway.connection("CP1")
        assert connection is not None
        assert connection.transport is not None
        underlying = type(connection.transport.underlying_transport)
        assert not underlying.__module__.startswith("aiofastnet")
        # the client's own socket brings one (picows' default, test side): not csms's
        assert sum(isinstance(o, logging.Logger) for o in gc.get_objects()) <= loggers + 1


async def test_calls_are_handled_one_at_a_time_in_order(app: App, routes: GatedRoutes) -> None:
    async with RawStationClient.connect(url(app)) as cp:
        for n, action in enumerate(("A", "B", "C"), 1):
            cp.send(f'[2,"m{n}","{action}",{{}}]')
        await routes.wait_started("A")
        await asyncio.sleep(0.05)
        assert routes.started == ["A"]  # B and C wait behind it
        for action in ("C", "B", "A"):  # opened in reverse: the order still holds
            routes.gate(action).set()
        answers = [await cp.receive() for _ in range(3)]
        assert [a[1] if a else None for a in answers] == ["m1", "m2", "m3"]
        assert routes.finished == ["A", "B", "C"]
        assert routes.most_at_once == 1

        routes.gate("D").set()  # and the next CALL after a pause
        assert (await cp.call("D", {}))[2] == {"action": "D"}


async def test_a_call_received_before_the_socket_closed_is_still_handled(
    app: App, routes: GatedRoutes
) -> None:
    async with RawStationClient.connect(url(app)) as cp:
        cp.send('[2,"m1","A",{}]')
        cp.send('[2,"m2","B",{}]')
        await routes.wait_started("A")
    await asyncio.sleep(0.05)
    assert app.gateway.connected() == []
    routes.gate("A").set()
    routes.gate("B").set()
    await asyncio.sleep(0.05)
    assert routes.finished == ["A", "B"]
    assert not app.gateway._tasks


async def test_stop_waits_for_the_calls_in_progress(app: App, routes: GatedRoutes) -> None:
    async with RawStationClient.connect(url(app)) as cp:
        cp.send('[2,"m1","A",{}]')
        await routes.wait_started("A")
        stopping = asyncio.create_task(app.gateway.stop(timeout=5))
        assert await cp.receive() is None  # closed with 1001 ...
        assert cp.close_codes == [1001]
        await asyncio.sleep(0.05)
        assert not stopping.done()  # ... but the CALL it sent is still being handled
        routes.gate("A").set()
        await asyncio.wait_for(stopping, 1)
    assert routes.finished == ["A"]


async def test_stop_cancels_what_outlives_its_timeout(app: App, routes: GatedRoutes) -> None:
    async with RawStationClient.connect(url(app)) as cp:
        cp.send('[2,"m1","A",{}]')
        await routes.wait_started("A")
        started = asyncio.get_running_loop().time()
        await app.gateway.stop(timeout=0.2)
        assert 0.15 < asyncio.get_running_loop().time() - started < 1.5
    assert routes.cancelled == ["A"]
    assert not app.gateway._tasks


async def test_a_failing_worker_closes_the_socket(app: App, routes: GatedRoutes) -> None:
    routes.fail_with = RuntimeError("boom")
    routes.gate("A").set()
    async with RawStationClient.connect(url(app)) as cp:
        cp.send('[2,"m1","A",{}]')
        assert await cp.receive() is None
        assert cp.close_codes == [1011]

"""Test helpers, shipped as a public module: a fake clock, csms on free loopback ports,
and a raw OCPP-J WebSocket client for end-to-end tests.

    async with running_app(settings) as app:
        async with RawStationClient.connect(f"ws://127.0.0.1:{app.ocpp_port}/ocpp/CP1") as cp:
            reply = await cp.call("Heartbeat", {})

    app = await build_app(Settings(), clock=FakeClock(), stores=memory_stores())
    async with api_client(app, await issue_key(app, "operator")) as http:
        stations = (await http.get("/api/v1/stations")).json()
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

from csms.app import App, build_app
from csms.domain.operations import Role
from csms.settings import Settings
from csms.storage import Stores

if TYPE_CHECKING:
    import httpx


@dataclass
class FakeClock:
    """A clock that moves only when told to."""

    current: datetime = field(default_factory=lambda: datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC))
    ticks: float = 1000.0

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.ticks

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
        self.ticks += seconds


def loopback_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for a test run: loopback, ports chosen by the OS, fast flushes."""
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "ocpp_port": 0,
        "http_port": 0,
        "database_url": database_url,
        "flush_interval": 0.01,
        "shutdown_timeout": 2.0,
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running_app(settings: Settings, *, stores: Stores | None = None) -> AsyncIterator[App]:
    """csms serving on its ports for the duration of the block, then shut down in order."""
    app = await build_app(settings, stores=stores)
    task = asyncio.create_task(app.run())
    ready = asyncio.create_task(app.wait_ready())
    done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()
    try:
        yield app
    finally:
        app.request_stop()
        await task


async def issue_key(app: App, role: Role | str, *, owner: str | None = None, name: str = "") -> str:
    """A new API key's secret, for ``Authorization: Bearer``."""
    issued = await app.services.accounts.create(Role(role), name or f"test {role}", owner)
    return issued.secret


@asynccontextmanager
async def api_client(
    app: App, key: str | None = None, *, client: tuple[str, int] = ("127.0.0.1", 50000)
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client over ``app.api`` in process (no socket), sending ``key`` as bearer.

        async with api_client(app, await issue_key(app, "admin")) as http:
            response = await http.get("/api/v1/stations")
    """
    import httpx  # a dev dependency: imported only when a test asks for a client

    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    transport = httpx.ASGITransport(app=app.api, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://csms", headers=headers) as http:
        yield http


class _Listener(WSListener):
    def __init__(self, inbox: asyncio.Queue[str | None], closes: list[int]) -> None:
        self._inbox = inbox
        self._closes = closes

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type is WSMsgType.TEXT:
            self._inbox.put_nowait(frame.get_payload_as_utf8_text())
        elif frame.msg_type is WSMsgType.CLOSE:
            self._closes.append(frame.get_close_code().value)
            transport.send_close(frame.get_close_code())
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self._inbox.put_nowait(None)


class RawStationClient:
    """A station-side socket that sends exactly what the test says (frames as text)."""

    def __init__(self, transport: WSTransport, inbox: asyncio.Queue[str | None], closes: list[int]):
        self.transport = transport
        self.inbox = inbox
        self.close_codes = closes
        self._ids = itertools.count(1)

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        url: str,
        *,
        subprotocol: str | None = "ocpp1.6",
        password: str | None = None,
        auto_pong: bool = True,
    ) -> AsyncIterator[RawStationClient]:
        inbox: asyncio.Queue[str | None] = asyncio.Queue()
        closes: list[int] = []
        headers: dict[str, str] = {}
        if subprotocol:
            headers["Sec-WebSocket-Protocol"] = subprotocol
        if password is not None:
            station = url.rstrip("/").rsplit("/", 1)[-1]
            token = base64.b64encode(f"{station}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        transport, _ = await ws_connect(
            lambda: _Listener(inbox, closes),
            url,
            extra_headers=headers or None,
            enable_auto_pong=auto_pong,
        )
        client = cls(transport, inbox, closes)
        try:
            yield client
        finally:
            if not transport.is_disconnected:
                transport.send_close()
                transport.disconnect()
                await transport.wait_disconnected()

    def send(self, text: str) -> None:
        self.transport.send(WSMsgType.TEXT, text.encode())

    async def receive(self, timeout: float = 5.0) -> list[Any] | None:
        """The next frame from csms, parsed; None when the socket closed."""
        text = await asyncio.wait_for(self.inbox.get(), timeout)
        return None if text is None else list(json.loads(text))

    async def call(self, action: str, payload: dict[str, Any], timeout: float = 5.0) -> list[Any]:
        """Send a CALL and return csms's answer frame (CALLRESULT or CALLERROR)."""
        unique_id = f"t{next(self._ids)}"
        self.send(json.dumps([2, unique_id, action, payload]))
        while True:
            frame = await self.receive(timeout)
            if frame is None:
                raise ConnectionError("csms closed the connection")
            if frame[0] in (3, 4) and frame[1] == unique_id:
                return frame

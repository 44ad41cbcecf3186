"""A tiny fake central system on loopback: answers what a 1.6 station sends, records it, calls it.

Written against raw JSON on purpose, so that the simulator's typed messages are checked
by something that does not share them.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import picows

Json = dict[str, Any]
Answer = Json | tuple[str, str] | None  # a payload, ("error", code), or None: no answer
Responder = Callable[[Json], Answer]


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True, slots=True)
class Received:
    """One CALL the station made."""

    station_id: str
    action: str
    payload: Json


@dataclass(slots=True)
class _Conn:
    transport: picows.WSTransport
    pending: dict[str, asyncio.Future[list[Any]]] = field(default_factory=dict)


class _Listener(picows.WSListener):
    def __init__(self, csms: FakeCentralSystem, station_id: str) -> None:
        self._csms = csms
        self._station_id = station_id

    def on_ws_connected(self, transport: picows.WSTransport) -> None:
        self._csms.connections[self._station_id] = _Conn(transport)
        self._csms.connects.append(self._station_id)
        self._csms.notify()

    def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
        if frame.msg_type is picows.WSMsgType.TEXT:
            self._csms.on_text(self._station_id, transport, frame.get_payload_as_utf8_text())
        elif frame.msg_type is picows.WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()

    def on_ws_disconnected(self, transport: picows.WSTransport) -> None:
        conn = self._csms.connections.get(self._station_id)
        if conn is not None and conn.transport is transport:
            del self._csms.connections[self._station_id]
        self._csms.disconnects.append(self._station_id)
        self._csms.notify()


class FakeCentralSystem:
    """Answers Boot Accepted, StartTransaction with increasing ids; everything else sensibly."""

    def __init__(self, heartbeat_interval: int = 60, first_transaction_id: int = 11902) -> None:
        self.heartbeat_interval = heartbeat_interval
        self.password: str | None = None
        self.received: list[Received] = []
        self.raw: list[str] = []
        self.auth_headers: list[str | None] = []
        self.connects: list[str] = []
        self.disconnects: list[str] = []
        self.connections: dict[str, _Conn] = {}
        self.responders: dict[str, Responder] = {}
        self._ids = itertools.count(first_transaction_id)
        self._call_ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._changed = asyncio.Event()
        self.port = 0

    async def start(self) -> None:
        self._server = await picows.ws_create_server(
            self._route, "127.0.0.1", 0, read_buffer_init_size=1024
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for conn in list(self.connections.values()):
            conn.transport.disconnect()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def url(self, station_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp/{station_id}"

    def _route(self, request: picows.WSUpgradeRequest) -> picows.WSUpgradeResponseWithListener:
        station_id = request.path.decode().rsplit("/", 1)[-1]
        authorization = request.headers.get("Authorization")
        self.auth_headers.append(authorization)
        if self.password is not None:
            expected = base64.b64encode(f"{station_id}:{self.password}".encode()).decode()
            if authorization != f"Basic {expected}":
                response = picows.WSUpgradeResponse.create_error_response(401)
                return picows.WSUpgradeResponseWithListener(response, None)
        if "ocpp1.6" not in request.headers.get("Sec-WebSocket-Protocol", ""):
            response = picows.WSUpgradeResponse.create_error_response(400)
            return picows.WSUpgradeResponseWithListener(response, None)
        response = picows.WSUpgradeResponse.create_101_response(
            extra_headers={"Sec-WebSocket-Protocol": "ocpp1.6"}
        )
        return picows.WSUpgradeResponseWithListener(response, _Listener(self, station_id))

    # -- the station's frames ---------------------------------------------------------
    def on_text(self, station_id: str, transport: picows.WSTransport, text: str) -> None:
        self.raw.append(text)
        try:
            frame = json.loads(text)
        except ValueError:
            self._send(transport, [4, "-1", "FormationViolation", "not JSON", {}])
            return
        if frame[0] == 2:
            self._on_call(station_id, transport, frame[1], frame[2], frame[3])
        elif frame[0] in (3, 4):
            conn = self.connections.get(station_id)
            waiter = conn.pending.pop(frame[1], None) if conn else None
            if waiter is not None and not waiter.done():
                waiter.set_result(frame)
        self.notify()

    def _on_call(
        self, station_id: str, transport: picows.WSTransport, uid: str, action: str, payload: Json
    ) -> None:
        self.received.append(Received(station_id, action, payload))
        responder = self.responders.get(action)
        answer = responder(payload) if responder is not None else self._default(action, payload)
        if answer is None:
            return
        if isinstance(answer, tuple):
            self._send(transport, [4, uid, answer[1], "scripted", {}])
        else:
            self._send(transport, [3, uid, answer])

    def _default(self, action: str, payload: Json) -> Answer:
        accepted = {"status": "Accepted"}
        match action:
            case "BootNotification":
                return {
                    "status": "Accepted",
                    "currentTime": now_text(),
                    "interval": self.heartbeat_interval,
                }
            case "Heartbeat":
                return {"currentTime": now_text()}
            case "Authorize" | "StopTransaction":
                return {"idTagInfo": accepted}
            case "StartTransaction":
                return {"transactionId": next(self._ids), "idTagInfo": accepted}
            case "DataTransfer":
                return {"status": "UnknownVendorId"}
            case _:
                return {}

    @staticmethod
    def _send(transport: picows.WSTransport, frame: list[Any]) -> None:
        transport.send(picows.WSMsgType.TEXT, json.dumps(frame).encode())

    # -- what tests use ----------------------------------------------------------------
    def notify(self) -> None:
        self._changed.set()

    async def until(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        """Wait until ``condition()`` holds, re-checking whenever something arrives."""
        async with asyncio.timeout(within):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    def messages(self, action: str, station_id: str | None = None) -> list[Json]:
        return [
            r.payload
            for r in self.received
            if r.action == action and (station_id is None or r.station_id == station_id)
        ]

    def actions(self) -> list[str]:
        return [r.action for r in self.received]

    async def wait_for(self, action: str, count: int = 1, within: float = 5.0) -> list[Json]:
        """The first ``count`` payloads of ``action``, once that many have arrived."""
        await self.until(lambda: len(self.messages(action)) >= count, within)
        return self.messages(action)[:count]

    async def call(
        self, station_id: str, action: str, payload: Json, within: float = 5.0
    ) -> list[Any]:
        """Send a CALL to the station; returns its reply frame ([3, ...] or [4, ...])."""
        conn = self.connections[station_id]
        uid = f"csms-{next(self._call_ids)}"
        waiter: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        conn.pending[uid] = waiter
        self._send(conn.transport, [2, uid, action, payload])
        async with asyncio.timeout(within):
            return await waiter

    def drop(self, station_id: str) -> None:
        """Close the station's socket from the server side."""
        self.connections[station_id].transport.disconnect()

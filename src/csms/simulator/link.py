"""One WebSocket connection to the central system, pumped through an ``RpcSession``.

The station side of OCPP-J 1.6: the station opens ``ws(s)://host/ocpp/{stationId}``
offering the subprotocol ``ocpp1.6`` (OCPP-J 1.6 §3.1), optionally with HTTP Basic
authentication (OCPP 1.6 security whitepaper, profile 1: user is the station id). Every
text message goes through :class:`csms.ocpp.RpcSession`, which keeps one call of ours in
flight at a time and matches replies by id (OCPP-J 1.6 §4.1.1); this module only moves
bytes and turns the session's events into awaited results.

A :class:`Link` lives as long as its socket. The central system's calls reach
``on_call(link, event)``; answer them on that same link. When the socket closes, every
pending call fails with :class:`ConnectionLost` and ``on_closed(link)`` runs once.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
import picows

from csms.ocpp import (
    CallReceived,
    ErrorKind,
    ErrorReceived,
    FrameRejected,
    LateReply,
    OcppVersion,
    OutgoingCall,
    ResultReceived,
    RpcSession,
    Unanswerable,
)
from csms.simulator.errors import CallErrorReceived, CallTimeout, ConnectFailed, ConnectionLost

CallHandler = Callable[["Link", CallReceived], None]
ClosedHandler = Callable[["Link"], None]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to connect (OCPP-J 1.6 §3.1.1, §3.1.2)."""

    url: str
    station_id: str
    version: OcppVersion = OcppVersion.V16
    password: str | None = None
    handshake_timeout: float = 5.0

    def headers(self) -> dict[str, str]:
        """The upgrade request headers: the subprotocol, and Basic auth when a password is set."""
        headers = {"Sec-WebSocket-Protocol": self.version.value}
        if self.password is not None:
            token = base64.b64encode(f"{self.station_id}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        return headers


class _Listener(picows.WSListener):
    """Hands text frames to the link; answers CLOSE frames (RFC 6455 §5.5.1)."""

    def __init__(self, link: Link) -> None:
        self._link = link

    def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
        if frame.msg_type is picows.WSMsgType.TEXT:
            self._link.feed(frame.get_payload_as_utf8_text())
        elif frame.msg_type is picows.WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()

    def on_ws_disconnected(self, transport: picows.WSTransport) -> None:
        self._link.lost()


class Link:
    """A connected OCPP-J session: await calls, answer the peer's calls, send raw text."""

    def __init__(
        self,
        session: RpcSession,
        on_call: CallHandler,
        on_closed: ClosedHandler,
    ) -> None:
        self._session = session
        self._on_call = on_call
        self._on_closed = on_closed
        self._transport: picows.WSTransport | None = None
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._raw_replies: asyncio.Queue[str] = asyncio.Queue()
        self._closed = asyncio.Event()

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        session: RpcSession,
        on_call: CallHandler,
        on_closed: ClosedHandler,
    ) -> Link:
        """Connect; raises :class:`ConnectFailed` if the upgrade fails or no subprotocol matches."""
        link = cls(session, on_call, on_closed)
        try:
            transport, _ = await picows.ws_connect(
                lambda: _Listener(link),
                endpoint.url,
                extra_headers=endpoint.headers(),
                websocket_handshake_timeout=endpoint.handshake_timeout,
                read_buffer_init_size=1024,
            )
        except picows.WSHandshakeError as error:
            status = int(error.response.status) if error.response is not None else None
            raise ConnectFailed(f"{endpoint.url}: {error}", status) from None
        except (OSError, TimeoutError, picows.WSError) as error:
            raise ConnectFailed(f"{endpoint.url}: {error}") from None
        link._transport = transport
        agreed = transport.response.headers.get("Sec-WebSocket-Protocol", "")
        if agreed.strip().lower() != endpoint.version.value:
            transport.disconnect()
            raise ConnectFailed(f"{endpoint.url}: subprotocol {endpoint.version.value} refused")
        return link

    @property
    def is_open(self) -> bool:
        return self._transport is not None and not self._closed.is_set()

    # -- calls of ours -------------------------------------------------------------
    async def call(self, action: str, payload: bytes, answer_within: float) -> msgspec.Raw:
        """Send a CALL and await its CALLRESULT payload.

        Raises :class:`CallErrorReceived`, :class:`CallTimeout` or :class:`ConnectionLost`.
        """
        if not self.is_open:
            raise ConnectionLost(f"{action}: not connected")
        outgoing = self._session.call(action, payload, answer_within, self._loop.time())
        waiter: asyncio.Future[msgspec.Raw] = self._loop.create_future()
        outgoing.token = waiter
        self._flush()
        return await waiter

    # -- the peer's calls ------------------------------------------------------------
    def reply(self, unique_id: str, payload: bytes) -> None:
        """Answer a CALL of the central system with a CALLRESULT."""
        self._session.reply(unique_id, payload)
        self._flush()

    def reply_error(self, unique_id: str, kind: ErrorKind, description: str = "") -> None:
        """Answer a CALL of the central system with a CALLERROR (OCPP-J 1.6 §4.2.3)."""
        self._session.reply_error(unique_id, kind, description)
        self._flush()

    # -- raw frames, for tests of malformed input ------------------------------------
    def send_raw(self, text: str) -> None:
        """Write ``text`` as one WebSocket text message, bypassing the session."""
        if self._transport is None or not self.is_open:
            raise ConnectionLost("send_raw: not connected")
        self._transport.send(picows.WSMsgType.TEXT, text.encode())

    async def next_raw_reply(self, within: float) -> str:
        """The next message that answers no call of ours (e.g. the reply to ``send_raw``)."""
        async with asyncio.timeout(within):
            return await self._raw_replies.get()

    # -- lifetime --------------------------------------------------------------------
    def close(self) -> None:
        """Close the socket with 1000 (OK); pending calls fail with :class:`ConnectionLost`."""
        if self._transport is not None and not self._closed.is_set():
            self._transport.send_close(picows.WSCloseCode.OK)
            self._transport.disconnect()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    # -- driven by the listener ------------------------------------------------------
    def feed(self, text: str) -> None:
        """Digest one text message from the central system."""
        event = self._session.receive(text, self._loop.time())
        if isinstance(event, CallReceived):
            self._on_call(self, event)
        elif isinstance(event, ResultReceived):
            _settle(event.call, result=event.payload)
        elif isinstance(event, ErrorReceived):
            error = CallErrorReceived(
                event.call.action, event.error_code, event.description, event.details
            )
            _settle(event.call, error=error)
        elif isinstance(event, LateReply | Unanswerable):
            self._raw_replies.put_nowait(text)
        elif isinstance(event, FrameRejected):
            pass  # the session queued the CALLERROR; flushed below
        self._flush()

    def lost(self) -> None:
        """The socket is closed: fail every pending call, tell the owner once."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._timer is not None:
            self._timer.cancel()
        for pending in self._session.abandon():
            _settle(pending, error=ConnectionLost(f"{pending.action}: connection lost"))
        self._on_closed(self)

    def _flush(self) -> None:
        frames = self._session.data_to_send()
        if self._transport is not None and not self._closed.is_set():
            for frame in frames:
                self._transport.send(picows.WSMsgType.TEXT, frame)
        self._arm_timer()

    def _arm_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self._session.next_deadline()
        if deadline is not None and not self._closed.is_set():
            self._timer = self._loop.call_at(deadline, self._expire)

    def _expire(self) -> None:
        self._timer = None
        for timed_out in self._session.expire(self._loop.time()):
            _settle(timed_out.call, error=CallTimeout(f"{timed_out.call.action}: no answer"))
        self._flush()


def _settle(
    call: OutgoingCall, *, result: msgspec.Raw | None = None, error: Exception | None = None
) -> None:
    waiter = call.token
    if not isinstance(waiter, asyncio.Future) or waiter.done():
        return
    if error is not None:
        waiter.set_exception(error)
    else:
        waiter.set_result(result)

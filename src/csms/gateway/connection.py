"""One station's WebSocket: pumps frames through its :class:`~csms.ocpp.RpcSession`.

Frames are digested in the transport callback (parsing is synchronous and cheap), so a
station's answers to our calls are matched at once. CALLs from the station are handled
one at a time, in order, by the connection's own task (OCPP-J 1.6 §4.1.1).

That task lives as long as the socket. A task per CALL would hold nothing while a
station is idle, but it measured ~60 % more garbage-collector passes per message under
load (each CALL left a task, coroutine, context and weak reference for the collector),
so the long-lived task is kept instead and made small while it waits: one coroutine,
one future, no inbox list and no reference to the last CALL.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import msgspec
import structlog
from picows import WSCloseCode, WSFrame, WSListener, WSMsgType, WSTransport

from csms.domain import Direction
from csms.gateway.errors import CommandTimeout, StationCallError, StationOffline
from csms.handlers.routing import StationContext
from csms.ocpp import (
    CallReceived,
    ErrorKind,
    ErrorReceived,
    FrameRejected,
    LateReply,
    OcppError,
    OcppVersion,
    ResultReceived,
    RpcSession,
    Unanswerable,
)

if TYPE_CHECKING:
    from csms.gateway.server import Gateway

_STOP = object()
_log = structlog.get_logger("csms.gateway")


class StationConnection(WSListener):
    """The listener picows calls for one station's socket.

    Kept small, because thousands of them sit idle: slots, no bound logger until one
    is needed, and while the task waits only a future (a CALL is handed to it directly;
    the inbox list exists only while CALLs queue behind one being handled).
    """

    __slots__ = (
        "_closed",
        "_fragments",
        "_inbox",
        "_loop",
        "_timer",
        "_waiter",
        "connected_at",
        "gateway",
        "session",
        "station_id",
        "transport",
        "version",
    )

    def __init__(self, gateway: Gateway, station_id: str, version: OcppVersion) -> None:
        self.gateway = gateway
        self.station_id = station_id
        self.version = version
        self.session = RpcSession(version)
        self.transport: WSTransport | None = None
        self.connected_at = gateway.services.clock.now()
        self._inbox: list[CallReceived | object] | None = None  # CALLs waiting their turn
        self._waiter: asyncio.Future[CallReceived | object] | None = None  # the idle task's
        self._fragments: list[bytes] | None = None  # a message split over frames
        self._timer: asyncio.TimerHandle | None = None
        self._loop = asyncio.get_running_loop()
        self._closed = False

    @property
    def log(self) -> Any:
        """A logger bound to this station (made on use: most connections rarely log)."""
        return _log.bind(station_id=self.station_id)

    def _post(self, item: CallReceived | object) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():  # the task is idle (so the inbox is empty): hand it over
                waiter.set_result(item)
                return
        if self._inbox is None:
            self._inbox = [item]
        else:
            self._inbox.append(item)

    # -- picows callbacks -------------------------------------------------------------
    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        self.gateway.attach(self)
        self.log.info("station.connected", ocpp=self.version.value)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind is WSMsgType.TEXT or kind is WSMsgType.CONTINUATION:
            fragments = self._fragments
            if fragments is None:
                if frame.fin:  # the usual case: one frame, one message
                    self._digest(frame.get_payload_as_bytes())
                else:
                    self._fragments = [frame.get_payload_as_bytes()]
                return
            fragments.append(frame.get_payload_as_bytes())
            if frame.fin:
                self._fragments = None
                self._digest(b"".join(fragments))
        elif kind is WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()
        elif kind is WSMsgType.BINARY:
            self.log.warning("frame.binary_ignored", size=frame.payload_size)

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        for call in self.session.abandon():
            _fail(call.token, StationOffline(f"{self.station_id} disconnected"))
        self._post(_STOP)
        self.gateway.detach(self)
        self.log.info("station.disconnected")

    # -- frames in ----------------------------------------------------------------------
    def _digest(self, data: bytes) -> None:
        services = self.gateway.services
        event = self.session.receive(data, self._loop.time())
        action: str | None = None
        unique_id: str | None = None
        if isinstance(event, CallReceived):
            action, unique_id = event.action, event.unique_id
        elif isinstance(event, ResultReceived | ErrorReceived):
            action, unique_id = event.call.action, event.call.unique_id
        elif not isinstance(event, Unanswerable):
            unique_id = event.unique_id
        received_at = services.clock.now()  # one clock read per frame for the log and last-seen
        services.message_log.record(
            self.station_id, Direction.INBOUND, data, action, unique_id, received_at
        )
        services.stations.seen(self.station_id, received_at)
        if isinstance(event, CallReceived):
            self._post(event)
        elif isinstance(event, ResultReceived):
            _resolve(event.call.token, event.payload)
        elif isinstance(event, ErrorReceived):
            _fail(event.call.token, StationCallError(event.error_code, event.description, event.details))
        elif isinstance(event, LateReply):
            self.log.warning("reply.late_dropped", message_id=event.unique_id)
        elif isinstance(event, FrameRejected):
            self.log.warning("frame.rejected", kind=event.kind.value, detail=event.description)
        elif isinstance(event, Unanswerable):
            self.log.warning("frame.unanswerable", detail=event.description, frame=data[:200])
        self._flush()
        self._arm_timer()

    # -- the connection's task: CALLs from the station, in order -----------------------
    async def serve(self, *, register: bool = False) -> None:
        """Handle the station's CALLs until the socket closes (the connection's task).

        With ``register`` (``auto_register``), the station is registered first and its
        CALLs wait until then. A failure is logged and closes the socket.
        """
        try:
            if register:
                await self.gateway.services.stations.ensure_registered(self.station_id)
            ctx = self._context()
            while True:
                inbox = self._inbox
                if inbox:
                    item = inbox.pop(0)
                    if not inbox:
                        self._inbox = None
                else:  # idle: _post hands the next CALL straight to this future
                    self._waiter = self._loop.create_future()
                    item = await self._waiter
                if item is _STOP:
                    return
                assert isinstance(item, CallReceived)
                await self._handle(ctx, item)
                del item, inbox  # an idle station's frame keeps no CALL (nor its payload) alive
        except Exception:
            self.log.exception("connection.task_failed")
            self.close(WSCloseCode.INTERNAL_ERROR, "internal error")

    def _context(self) -> StationContext:
        entry = self.gateway.services.directory.entry(self.station_id)
        lenient = self.gateway.settings.lenient_default or (entry is not None and entry.lenient)
        return StationContext(self.station_id, self.version, self.gateway.services, lenient)

    async def _handle(self, ctx: StationContext, call: CallReceived) -> None:
        routes = self.gateway.routes[self.version]
        try:
            if call.action != "BootNotification" and self.gateway.is_rejected(self.station_id):
                raise OcppError(ErrorKind.SECURITY, "station is not accepted; send BootNotification")
            result = await routes.dispatch(ctx, call.action, call.payload)
        except OcppError as error:
            self.log.info("call.error_answered", action=call.action, kind=error.kind.value)
            self.session.reply_error(call.unique_id, error.kind, error.description, error.details)
            self._flush(call.action, call.unique_id)
            return
        if result.dropped:
            self.log.warning("lenient.fields_dropped", action=call.action, fields=result.dropped)
        self.session.reply(call.unique_id, result.payload)
        self._flush(call.action, call.unique_id)

    # -- our calls ------------------------------------------------------------------------
    async def call(self, action: str, payload: bytes, timeout: float) -> msgspec.Raw:
        """Send a CALL and wait for its CALLRESULT payload (raises CommandError)."""
        if self._closed:
            raise StationOffline(f"{self.station_id} is not connected")
        future: asyncio.Future[msgspec.Raw] = self._loop.create_future()
        outgoing = self.session.call(action, payload, timeout, self._loop.time())
        outgoing.token = future
        self._flush(action, outgoing.unique_id)
        self._arm_timer()
        return await future

    def _expire(self) -> None:
        self._timer = None
        for timed_out in self.session.expire(self._loop.time()):
            call = timed_out.call
            _fail(call.token, CommandTimeout(f"{self.station_id} did not answer {call.action}"))
        self._flush()
        self._arm_timer()

    def _arm_timer(self) -> None:
        deadline = self.session.next_deadline()
        if self._timer is not None:
            if deadline is not None and self._timer.when() == deadline:
                return
            self._timer.cancel()
            self._timer = None
        if deadline is not None and not self._closed:
            self._timer = self._loop.call_at(deadline, self._expire)

    # -- frames out -------------------------------------------------------------------
    def _flush(self, action: str | None = None, message_id: str | None = None) -> None:
        """Send what the session has queued; ``action``/``message_id`` label the log rows
        (best effort: a queued CALL released by an answer is logged unlabelled)."""
        frames = self.session.data_to_send()
        if not frames or self.transport is None or self._closed:
            return
        log = self.gateway.services.message_log
        for frame in frames:
            self.transport.send(WSMsgType.TEXT, frame)
            log.record(self.station_id, Direction.OUTBOUND, frame, action, message_id)

    def close(self, code: WSCloseCode, reason: str) -> None:
        """Close the socket with a close frame (used on replacement and shutdown)."""
        if self.transport is not None and not self._closed:
            self.transport.send_close(code, reason.encode())
            self.transport.disconnect()


def _resolve(token: Any, payload: msgspec.Raw) -> None:
    if isinstance(token, asyncio.Future) and not token.done():
        token.set_result(payload)


def _fail(token: Any, error: Exception) -> None:
    if isinstance(token, asyncio.Future) and not token.done():
        token.set_exception(error)

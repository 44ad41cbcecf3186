"""The per-connection OCPP-J RPC state machine, sans-I/O (OCPP-J 1.6 §4.1.1).

One :class:`RpcSession` per WebSocket. The I/O layer feeds it every text message with
:meth:`RpcSession.receive`, sends whatever :meth:`RpcSession.data_to_send` returns, and
calls :meth:`RpcSession.expire` when :meth:`RpcSession.next_deadline` passes. Time is
passed in (seconds on a monotonic clock); nothing here awaits.

Rules it enforces:

* at most one CALL of ours is outstanding; further calls wait in a FIFO queue and
  are sent when the previous one is answered or times out;
* a call's deadline runs from the moment it was queued: a call that expires while
  still queued is never sent;
* a CALLRESULT/CALLERROR is matched by unique id against the outstanding call only.
  A reply to a call that already timed out, or to no call at all, is dropped (reported
  as :class:`LateReply`) and never reaches the next caller.
* a frame that is not a valid CALL gets the CALLERROR the spec names, queued for
  sending; one whose id cannot be read is reported as :class:`Unanswerable`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from csms.ocpp import frames
from csms.ocpp.errors import ErrorKind, error_code
from csms.ocpp.versions import OcppVersion


@dataclass(eq=False, slots=True)
class OutgoingCall:
    """A CALL of ours; the I/O layer may attach its own future or callback to ``token``."""

    unique_id: str
    action: str
    frame: bytes
    deadline: float
    token: Any = None


@dataclass(frozen=True, slots=True)
class CallReceived:
    """The station called us; answer with :meth:`RpcSession.reply` or ``reply_error``."""

    unique_id: str
    action: str
    payload: msgspec.Raw


@dataclass(frozen=True, slots=True)
class ResultReceived:
    call: OutgoingCall
    payload: msgspec.Raw


@dataclass(frozen=True, slots=True)
class ErrorReceived:
    call: OutgoingCall
    error_code: str
    description: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallTimedOut:
    call: OutgoingCall


@dataclass(frozen=True, slots=True)
class LateReply:
    """A reply whose id matches no outstanding call: dropped."""

    unique_id: str


@dataclass(frozen=True, slots=True)
class FrameRejected:
    """An invalid frame; a CALLERROR has been queued for it."""

    unique_id: str
    kind: ErrorKind
    description: str


@dataclass(frozen=True, slots=True)
class Unanswerable:
    """An invalid frame whose unique id could not be read: logged, not answered."""

    description: str


Event = CallReceived | ResultReceived | ErrorReceived | LateReply | FrameRejected | Unanswerable


@dataclass(slots=True)
class RpcSession:
    """The RPC state of one OCPP-J connection.

    Unique ids of our calls are "1", "2", ... per session unless ``new_id`` is given
    (a plain counter field rather than a closure: thousands of sessions sit idle).
    The outbox and the call queue are None while empty, for the same reason: an idle
    session holds no lists at all.
    """

    version: OcppVersion
    new_id: Callable[[], str] | None = None
    _ids_issued: int = 0
    _outbox: list[bytes] | None = None  # frames to send; None when there are none
    _queue: list[OutgoingCall] | None = None  # calls waiting for the line; short
    _in_flight: OutgoingCall | None = None

    # -- calls of ours -------------------------------------------------------------
    def call(self, action: str, payload: bytes, timeout: float, now: float) -> OutgoingCall:
        """Queue a CALL (``payload`` is the JSON request object); sent when the line is free."""
        if self.new_id is not None:
            unique_id = self.new_id()
        else:
            self._ids_issued += 1
            unique_id = str(self._ids_issued)
        outgoing = OutgoingCall(
            unique_id, action, frames.encode_call(unique_id, action, payload), now + timeout
        )
        if self._queue is None:
            self._queue = [outgoing]
        else:
            self._queue.append(outgoing)
        self._release(now)
        return outgoing

    @property
    def in_flight(self) -> OutgoingCall | None:
        """The call awaiting its answer, if any."""
        return self._in_flight

    def pending(self) -> list[OutgoingCall]:
        """Every call not yet answered: the one in flight, then the queued ones."""
        head = [self._in_flight] if self._in_flight is not None else []
        return head + self._queue if self._queue else head

    def expire(self, now: float) -> list[CallTimedOut]:
        """Time out every call whose deadline has passed, then send the next one."""
        expired: list[CallTimedOut] = []
        if self._in_flight is not None and self._in_flight.deadline <= now:
            expired.append(CallTimedOut(self._in_flight))
            self._in_flight = None
        if self._queue:
            kept: list[OutgoingCall] = []
            for queued in self._queue:
                (kept.append(queued) if queued.deadline > now else expired.append(CallTimedOut(queued)))
            self._queue = kept or None
        self._release(now)
        return expired

    def next_deadline(self) -> float | None:
        """The earliest deadline among pending calls, or None."""
        in_flight, queue = self._in_flight, self._queue
        if not queue:  # the usual case: asked after every frame
            return None if in_flight is None else in_flight.deadline
        deadlines = [c.deadline for c in queue]
        if in_flight is not None:
            deadlines.append(in_flight.deadline)
        return min(deadlines)

    def abandon(self) -> list[OutgoingCall]:
        """The connection is gone: forget and return every pending call."""
        abandoned = self.pending()
        self._in_flight = None
        self._queue = None
        return abandoned

    def _release(self, now: float) -> None:
        queue = self._queue
        while self._in_flight is None and queue:
            candidate = queue[0]
            if candidate.deadline <= now:
                return  # expire() reports it
            del queue[0]
            self._in_flight = candidate
            self._send(candidate.frame)
        if queue is not None and not queue:
            self._queue = None

    def _send(self, frame: bytes) -> None:
        outbox = self._outbox
        if outbox is None:
            self._outbox = [frame]
        else:
            outbox.append(frame)

    # -- frames from the peer --------------------------------------------------------
    def receive(self, data: bytes | str, now: float) -> Event:
        """Digest one text message from the peer."""
        try:
            frame = frames.parse(data)
        except frames.FrameError as error:
            if error.unique_id is None:
                return Unanswerable(error.description)
            self.reply_error(error.unique_id, error.kind, error.description)
            return FrameRejected(error.unique_id, error.kind, error.description)
        if isinstance(frame, frames.Call):
            return CallReceived(frame.unique_id, frame.action, frame.payload)
        call = self._in_flight
        if call is None or call.unique_id != frame.unique_id:
            return LateReply(frame.unique_id)
        self._in_flight = None
        self._release(now)
        if isinstance(frame, frames.CallResult):
            return ResultReceived(call, frame.payload)
        return ErrorReceived(call, frame.error_code, frame.description, frame.details)

    # -- our answers ------------------------------------------------------------------
    def reply(self, unique_id: str, payload: bytes) -> None:
        """Answer a received CALL with a CALLRESULT (``payload`` is the JSON object)."""
        self._send(frames.encode_call_result(unique_id, payload))

    def reply_error(
        self,
        unique_id: str,
        kind: ErrorKind,
        description: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        """Answer a received CALL with a CALLERROR spelled for this session's version."""
        code = error_code(kind, self.version)
        self._send(frames.encode_call_error(unique_id, code, description, details))

    def data_to_send(self) -> list[bytes]:
        """Frames to write to the socket, in order; each call drains the buffer."""
        out = self._outbox
        if out is None:
            return []
        self._outbox = None
        return out

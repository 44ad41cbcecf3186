"""OCPP-J RPC frames: CALL, CALLRESULT, CALLERROR (OCPP-J 1.6 §4, 2.0.1 Part 4 §4).

``parse`` turns one WebSocket text message into a frame, keeping the payload as raw
JSON (``msgspec.Raw``) so that it is decoded exactly once, straight into its typed
message. ``encode_*`` build the bytes to send. Nothing here does I/O.

    [2, "<uniqueId>", "<action>", {payload}]                        CALL
    [3, "<uniqueId>", {payload}]                                     CALLRESULT
    [4, "<uniqueId>", "<errorCode>", "<errorDescription>", {details}] CALLERROR
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from csms.ocpp.errors import ErrorKind, OcppError

MAX_UNIQUE_ID_LENGTH = 36  # OCPP-J 1.6 §4.1.3: "maximum of 36 characters"
CALL, CALL_RESULT, CALL_ERROR = 2, 3, 4
_T = TypeVar("_T")

_json_encode = msgspec.json.Encoder().encode
_decode_frame = msgspec.json.Decoder(list[msgspec.Raw]).decode
_decode_int = msgspec.json.Decoder(int).decode
_decode_str = msgspec.json.Decoder(str).decode
_decode_details = msgspec.json.Decoder(dict[str, Any]).decode
# Salvages the id of a frame that is not valid JSON, so that it can still be answered.
_ID_PREFIX = re.compile(rb'^\s*\[\s*2\s*,\s*"([^"\\]{1,36})"')


@dataclass(frozen=True, slots=True)
class Call:
    unique_id: str
    action: str
    payload: msgspec.Raw


@dataclass(frozen=True, slots=True)
class CallResult:
    unique_id: str
    payload: msgspec.Raw


@dataclass(frozen=True, slots=True)
class CallError:
    unique_id: str
    error_code: str
    description: str
    details: dict[str, Any]


Frame = Call | CallResult | CallError


class FrameError(OcppError):
    """A message that is not a valid frame. ``unique_id`` is None when it could not be read:
    such a frame cannot be answered and is only logged (OCPP-J 1.6 §4.2.3)."""

    def __init__(self, kind: ErrorKind, description: str, unique_id: str | None) -> None:
        super().__init__(kind, description)
        self.unique_id = unique_id


def parse(data: bytes | str) -> Frame:
    """Parse one WebSocket text message into a frame; raises :class:`FrameError`."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        parts = _decode_frame(raw)
    except msgspec.ValidationError:  # valid JSON, but not an array
        raise FrameError(ErrorKind.RPC_FRAMEWORK, "frame is not a JSON array", None) from None
    except msgspec.DecodeError:
        match = _ID_PREFIX.match(raw)
        unique_id = match.group(1).decode() if match else None
        raise FrameError(ErrorKind.FORMATION, "frame is not valid JSON", unique_id) from None
    if len(parts) < 3:
        raise FrameError(ErrorKind.RPC_FRAMEWORK, "frame has too few elements", None)
    unique_id = _read_unique_id(parts[1])
    message_type = _read(_decode_int, parts[0], "message type is not an integer", unique_id)
    if message_type == CALL:
        return _parse_call(parts, unique_id)
    if message_type == CALL_RESULT:
        _expect_length(parts, 3, unique_id)
        return CallResult(unique_id, parts[2])
    if message_type == CALL_ERROR:
        return _parse_call_error(parts, unique_id)
    raise FrameError(
        ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED, f"unknown message type {message_type}", unique_id
    )


def _parse_call(parts: list[msgspec.Raw], unique_id: str) -> Call:
    _expect_length(parts, 4, unique_id)
    action = _read(_decode_str, parts[2], "action is not a string", unique_id)
    if not bytes(parts[3]).lstrip().startswith(b"{"):
        raise FrameError(ErrorKind.FORMATION, "payload is not a JSON object", unique_id)
    return Call(unique_id, action, parts[3])


def _parse_call_error(parts: list[msgspec.Raw], unique_id: str) -> CallError:
    _expect_length(parts, 5, unique_id)
    code = _read(_decode_str, parts[2], "errorCode is not a string", unique_id)
    description = _read(_decode_str, parts[3], "errorDescription is not a string", unique_id)
    details = _read(_decode_details, parts[4], "errorDetails is not an object", unique_id)
    return CallError(unique_id, code, description, details)


def _read_unique_id(raw: msgspec.Raw) -> str:
    try:
        unique_id = _decode_str(raw)
    except msgspec.ValidationError:
        raise FrameError(ErrorKind.RPC_FRAMEWORK, "unique id is not a string", None) from None
    if not unique_id or len(unique_id) > MAX_UNIQUE_ID_LENGTH:
        raise FrameError(ErrorKind.RPC_FRAMEWORK, "unique id must have 1 to 36 characters", None)
    return unique_id


def _read(
    decode: Callable[[msgspec.Raw], _T], raw: msgspec.Raw, problem: str, unique_id: str
) -> _T:
    try:
        value = decode(raw)
    except msgspec.ValidationError:
        raise FrameError(ErrorKind.RPC_FRAMEWORK, problem, unique_id) from None
    return value


def _expect_length(parts: list[msgspec.Raw], length: int, unique_id: str) -> None:
    if len(parts) != length:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK,
            f"frame must have {length} elements, not {len(parts)}",
            unique_id,
        )


def encode_call(unique_id: str, action: str, payload: bytes) -> bytes:
    """A CALL frame; ``payload`` is the JSON-encoded request object."""
    return b"[2,%b,%b,%b]" % (_json_encode(unique_id), _json_encode(action), payload)


def encode_call_result(unique_id: str, payload: bytes) -> bytes:
    """A CALLRESULT frame; ``payload`` is the JSON-encoded response object."""
    return b"[3,%b,%b]" % (_json_encode(unique_id), payload)


def encode_call_error(
    unique_id: str, error_code: str, description: str = "", details: dict[str, Any] | None = None
) -> bytes:
    """A CALLERROR frame. ``details`` defaults to ``{}`` (the spec requires an object)."""
    return _json_encode([CALL_ERROR, unique_id, error_code, description, details or {}])

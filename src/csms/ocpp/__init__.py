"""The sans-I/O OCPP-J protocol core: frames, typed messages, the RPC state machine.

Nothing in this package touches a socket, a clock or a database; bytes and typed
messages go in, events and bytes come out. See ``session.RpcSession`` for the rules.
"""

from csms.ocpp.codec import decode, decode_lenient, encode
from csms.ocpp.errors import ErrorKind, OcppError, error_code
from csms.ocpp.frames import Call, CallError, CallResult, FrameError, parse
from csms.ocpp.session import (
    CallReceived,
    CallTimedOut,
    ErrorReceived,
    Event,
    FrameRejected,
    LateReply,
    OutgoingCall,
    ResultReceived,
    RpcSession,
    Unanswerable,
)
from csms.ocpp.versions import OcppVersion, negotiate

__all__ = [
    "Call",
    "CallError",
    "CallReceived",
    "CallResult",
    "CallTimedOut",
    "ErrorKind",
    "ErrorReceived",
    "Event",
    "FrameError",
    "FrameRejected",
    "LateReply",
    "OcppError",
    "OcppVersion",
    "OutgoingCall",
    "ResultReceived",
    "RpcSession",
    "Unanswerable",
    "decode",
    "decode_lenient",
    "encode",
    "error_code",
    "negotiate",
    "parse",
]

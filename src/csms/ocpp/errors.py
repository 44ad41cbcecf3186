"""OCPP-J error codes per version and the one exception the protocol core raises.

OCPP-J 1.6 §4.2.3 and OCPP 2.0.1 Part 4 §4.3 name the codes a CALLERROR may carry.
The two versions differ in spelling (1.6 ``OccurenceConstraintViolation`` and
``FormationViolation``; 2.0.1 ``OccurrenceConstraintViolation`` and ``FormatViolation``)
and 2.0.1 adds ``RpcFrameworkError`` and ``MessageTypeNotSupported``. Code outside this
module speaks of an :class:`ErrorKind` and lets :func:`error_code` spell it.

Exception tree::

    OcppError                 a CALL must be answered with a CALLERROR of ``kind``
"""

from __future__ import annotations

import enum
from typing import Any

from csms.ocpp.versions import OcppVersion


class ErrorKind(enum.Enum):
    """What went wrong, independent of how a version spells it."""

    NOT_IMPLEMENTED = "NotImplemented"  # unknown action
    NOT_SUPPORTED = "NotSupported"  # known action, not supported
    INTERNAL = "InternalError"  # the handler failed
    PROTOCOL = "ProtocolError"  # payload incomplete
    SECURITY = "SecurityError"
    FORMATION = "FormationViolation"  # payload syntactically wrong / not the PDU
    PROPERTY_CONSTRAINT = "PropertyConstraintViolation"  # a field has an invalid value
    OCCURRENCE_CONSTRAINT = "OccurrenceConstraintViolation"  # missing / too many
    TYPE_CONSTRAINT = "TypeConstraintViolation"  # a field has the wrong type
    GENERIC = "GenericError"
    RPC_FRAMEWORK = "RpcFrameworkError"  # not a valid RPC frame
    MESSAGE_TYPE_NOT_SUPPORTED = "MessageTypeNotSupported"


_V16_SPELLING: dict[ErrorKind, str] = {
    ErrorKind.OCCURRENCE_CONSTRAINT: "OccurenceConstraintViolation",  # sic, OCPP-J 1.6 §4.2.3
    ErrorKind.RPC_FRAMEWORK: "ProtocolError",
    ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED: "ProtocolError",
}
_V201_SPELLING: dict[ErrorKind, str] = {
    ErrorKind.FORMATION: "FormatViolation",
}


def error_code(kind: ErrorKind, version: OcppVersion) -> str:
    """The CALLERROR ``errorCode`` string for ``kind`` in ``version``."""
    spelling = _V16_SPELLING if version is OcppVersion.V16 else _V201_SPELLING
    return spelling.get(kind, kind.value)


class OcppError(Exception):
    """Raised where a CALL must be answered with a CALLERROR.

    ``description`` is sent to the station; keep internals out of it.
    """

    def __init__(
        self, kind: ErrorKind, description: str = "", details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{kind.value}: {description}")
        self.kind = kind
        self.description = description
        self.details: dict[str, Any] = details or {}

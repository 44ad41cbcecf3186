"""The version-neutral domain model of csms.

Plain, immutable records that both OCPP 1.6 and 2.0.1 map onto. Nothing here does
I/O; services build and consume these, stores persist them.
"""

from csms.domain.model import (
    AuthorizationStatus,
    ConnectorStatus,
    Direction,
    IdTag,
    MeterSample,
    OcppMessage,
    RegistrationStatus,
    Station,
    StatusEvent,
    Transaction,
    TransactionState,
)

__all__ = [
    "AuthorizationStatus",
    "ConnectorStatus",
    "Direction",
    "IdTag",
    "MeterSample",
    "OcppMessage",
    "RegistrationStatus",
    "Station",
    "StatusEvent",
    "Transaction",
    "TransactionState",
]

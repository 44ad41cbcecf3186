"""Records of the domain: stations, EVSEs/connectors, id tags, transactions, samples.

OCPP 1.6 connector ``n`` (n >= 1) maps to EVSE ``n``, connector ``1``; 1.6 connector 0
(the whole station) maps to EVSE ``0``, connector ``0``. OCPP 2.0.1 addresses EVSE and
connector directly. A transaction has one integer id that csms assigns (what 1.6
stations see) and, for 2.0.1, the string id the station assigned.

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class RegistrationStatus(enum.StrEnum):
    """How csms answers a station's BootNotification (OCPP 1.6 §6.5)."""

    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


class AuthorizationStatus(enum.StrEnum):
    """The status of an id tag (OCPP 1.6 §7.2 AuthorizationStatus)."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    CONCURRENT_TX = "ConcurrentTx"


class ConnectorStatus(enum.StrEnum):
    """Connector status as reported by StatusNotification (1.6 §7.7, 2.0.1 ConnectorStatusEnumType).

    The union of both versions; 2.0.1 ``Occupied`` is kept as is.
    """

    AVAILABLE = "Available"
    PREPARING = "Preparing"
    CHARGING = "Charging"
    SUSPENDED_EVSE = "SuspendedEVSE"
    SUSPENDED_EV = "SuspendedEV"
    FINISHING = "Finishing"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"
    OCCUPIED = "Occupied"


class TransactionState(enum.StrEnum):
    """Lifecycle of a transaction as csms knows it."""

    ACTIVE = "Active"
    STOPPED = "Stopped"


class Direction(enum.StrEnum):
    """Which way an OCPP message travelled."""

    INBOUND = "in"  # station -> csms
    OUTBOUND = "out"  # csms -> station


@dataclass(frozen=True, slots=True)
class Station:
    """A charging station and what it told csms about itself at boot."""

    id: str
    registration_status: RegistrationStatus = RegistrationStatus.ACCEPTED
    password_hash: str | None = None
    lenient: bool = False
    ocpp_version: str | None = None
    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    charge_box_serial_number: str | None = None
    firmware_version: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None
    firmware_status: str | None = None
    diagnostics_status: str | None = None
    last_boot_at: datetime | None = None
    last_seen_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IdTag:
    """An id tag (RFID card, app token) and its authorization data (OCPP 1.6 §7.15 IdTagInfo)."""

    id_tag: str
    status: AuthorizationStatus = AuthorizationStatus.ACCEPTED
    expiry_date: datetime | None = None
    parent_id_tag: str | None = None
    owner: str | None = None  # the driver/account the tag belongs to (ApiKey.owner)


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One StatusNotification: the state of an EVSE/connector at a moment."""

    station_id: str
    evse_id: int
    connector_id: int
    status: ConnectorStatus
    error_code: str
    timestamp: datetime | None
    received_at: datetime
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None


@dataclass(frozen=True, slots=True)
class MeterSample:
    """One sampled value of a MeterValues report (OCPP 1.6 §7.43 SampledValue).

    ``transaction_id`` is csms's integer transaction id, or None outside a transaction.
    ``value`` is kept as the station sent it (a string: signed data is not numeric).
    """

    station_id: str
    evse_id: int
    connector_id: int
    transaction_id: int | None
    timestamp: datetime
    received_at: datetime
    value: str
    measurand: str = "Energy.Active.Import.Register"
    unit: str | None = None
    phase: str | None = None
    context: str | None = None
    location: str | None = None
    format: str | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    """A charging session.

    ``id`` is assigned by csms (the integer 1.6 stations see). ``station_tx_id`` is the
    string a 2.0.1 station assigned, None for 1.6. Energy is in Wh as the meter reports it.
    ``station_stop_unknown`` is True when the station stopped a transaction csms had not
    seen start (recorded, never refused: ARCHITECTURE.md "zombie transactions").
    """

    id: int
    station_id: str
    evse_id: int
    connector_id: int
    id_tag: str | None
    meter_start: int
    started_at: datetime
    received_at: datetime
    state: TransactionState = TransactionState.ACTIVE
    station_tx_id: str | None = None
    reservation_id: int | None = None
    meter_stop: int | None = None
    stopped_at: datetime | None = None
    stop_reason: str | None = None
    stop_id_tag: str | None = None
    stop_received_at: datetime | None = None
    station_stop_unknown: bool = False

    @property
    def energy_wh(self) -> int | None:
        """Energy delivered in Wh, once the transaction has stopped."""
        if self.meter_stop is None:
            return None
        return max(self.meter_stop - self.meter_start, 0)


@dataclass(frozen=True, slots=True)
class OcppMessage:
    """One raw OCPP-J frame in the per-station message log."""

    station_id: str
    direction: Direction
    at: datetime
    frame: str
    action: str | None = None
    message_id: str | None = None
    id: int | None = field(default=None, compare=False)

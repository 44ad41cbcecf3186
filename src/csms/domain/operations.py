"""Records for operating stations: API keys, reservations, what csms knows of a station's
configuration, availability, certificates and local authorization list.

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Role(enum.StrEnum):
    """Who may call the REST API (issue: operations API)."""

    ADMIN = "admin"  # everything
    OPERATOR = "operator"  # stations, tags, transactions, commands
    DRIVER = "driver"  # their own tags and sessions; start/stop


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key; only a hash of the secret is stored. A driver key names its ``owner``
    (the owner of the id tags it may use)."""

    id: int
    name: str
    role: Role
    key_hash: str
    created_at: datetime
    owner: str | None = None
    revoked: bool = False
    last_used_at: datetime | None = None


class ReservationStatus(enum.StrEnum):
    PENDING = "Pending"  # ReserveNow sent, no answer yet
    ACTIVE = "Active"  # the station accepted it
    USED = "Used"  # a StartTransaction with its reservationId arrived
    CANCELLED = "Cancelled"
    EXPIRED = "Expired"
    REJECTED = "Rejected"  # the station answered Faulted/Occupied/Rejected/Unavailable


@dataclass(frozen=True, slots=True)
class Reservation:
    """A ReserveNow (OCPP 1.6 §5.13). ``id`` is the reservationId sent to the station."""

    id: int
    station_id: str
    connector_id: int
    id_tag: str
    expiry_date: datetime
    created_at: datetime
    status: ReservationStatus = ReservationStatus.PENDING
    parent_id_tag: str | None = None
    transaction_id: int | None = None
    station_answer: str | None = None


@dataclass(frozen=True, slots=True)
class ConfigurationEntry:
    """One configuration key as last reported (GetConfiguration) or changed (ChangeConfiguration)."""

    station_id: str
    key: str
    value: str | None
    readonly: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ConnectorAvailability:
    """The availability csms last set on a connector (ChangeAvailability, 1.6 §5.2)."""

    station_id: str
    connector_id: int
    availability: str  # Operative | Inoperative
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class InstalledCertificate:
    """A certificate a station reported installed (security extension GetInstalledCertificateIds)."""

    station_id: str
    certificate_type: str  # CentralSystemRootCertificate | ManufacturerRootCertificate
    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LocalListEntry:
    """One entry of a station's local authorization list (1.6 §5.15 AuthorizationData)."""

    id_tag: str
    status: str | None = None  # None: the entry is deleted (differential update)
    expiry_date: datetime | None = None
    parent_id_tag: str | None = None


@dataclass(frozen=True, slots=True)
class LocalList:
    """The local list csms holds for a station, at ``version``."""

    station_id: str
    version: int
    entries: tuple[LocalListEntry, ...]
    updated_at: datetime

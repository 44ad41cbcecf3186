"""Narrow storage interfaces, one per aggregate.

Services depend on these Protocols only. Every backend (the in-memory fake in
``csms.storage.memory``, SQL in ``csms.storage.sql``) passes the same contract tests in
``tests/storage``. Each method is atomic on its own. All datetimes in and out are
timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from csms.domain import (
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
from csms.storage.billing import (
    DriverStore,
    LedgerStore,
    OrderStore,
    TariffAssignmentStore,
    TariffStore,
)
from csms.storage.operations import ApiKeyStore, ReservationStore, StationStateStore


class StationNotFound(LookupError):
    """The station id is not known to the store."""


class StationExists(ValueError):
    """A station with that id is already stored."""


@dataclass(frozen=True, slots=True)
class BootInfo:
    """What a BootNotification tells about the station (OCPP 1.6 §6.5, 2.0.1 B01)."""

    ocpp_version: str
    vendor: str
    model: str
    serial_number: str | None = None
    charge_box_serial_number: str | None = None
    firmware_version: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None


StationCredentials = tuple[str, str | None, bool, RegistrationStatus]
"""(id, password_hash, lenient, registration_status): what the WebSocket handshake needs."""


class StationStore(Protocol):
    async def add(self, station: Station) -> Station:
        """Store a new station; raises StationExists. Returns it with created_at set."""
        ...

    async def get(self, station_id: str) -> Station | None: ...

    async def all(self) -> list[Station]:
        """Every station, ordered by id."""
        ...

    async def credentials(self) -> list[StationCredentials]:
        """Every station's :data:`StationCredentials`, in no particular order.

        The station directory reloads these every few seconds for every station; full
        :class:`Station` records (five datetimes each) cost far more to build.
        """
        ...

    async def update(self, station: Station) -> Station:
        """Replace the stored station's editable fields; raises StationNotFound."""
        ...

    async def delete(self, station_id: str) -> bool:
        """Remove the station; True if it existed."""
        ...

    async def record_boot(self, station_id: str, info: BootInfo, at: datetime) -> Station:
        """Store boot information and set last_boot_at and last_seen_at; raises StationNotFound."""
        ...

    async def record_boots(
        self, boots: Mapping[str, tuple[BootInfo, datetime]]
    ) -> dict[str, RegistrationStatus]:
        """``record_boot`` for many stations in one transaction (group-committed
        BootNotifications): the registration status of each station found; unknown ids
        are left out of the answer and change nothing."""
        ...

    async def touch_many(self, last_seen: Mapping[str, datetime]) -> None:
        """Set last_seen_at for many stations at once (batched heartbeats); unknown ids ignored."""
        ...


class IdTagStore(Protocol):
    async def upsert(self, tag: IdTag) -> IdTag: ...

    async def get(self, id_tag: str) -> IdTag | None: ...

    async def all(self) -> list[IdTag]:
        """Every tag, ordered by id_tag."""
        ...

    async def delete(self, id_tag: str) -> bool: ...

    async def by_owner(self, owner: str) -> list[IdTag]:
        """The tags of that owner, ordered by id_tag."""
        ...


@dataclass(frozen=True, slots=True)
class NewTransaction:
    """A StartTransaction (1.6 §6.46) as received, before csms assigns an id."""

    station_id: str
    evse_id: int
    connector_id: int
    id_tag: str | None
    meter_start: int
    started_at: datetime
    received_at: datetime
    reservation_id: int | None = None
    station_tx_id: str | None = None


@dataclass(frozen=True, slots=True)
class TransactionStop:
    """A StopTransaction (1.6 §6.49) as received."""

    meter_stop: int
    stopped_at: datetime
    received_at: datetime
    reason: str | None = None
    id_tag: str | None = None


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    station_id: str | None = None
    id_tag: str | None = None
    state: TransactionState | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    limit: int = 100
    offset: int = 0


class TransactionStore(Protocol):
    async def start(self, new: NewTransaction) -> tuple[Transaction, bool]:
        """Create the transaction, or return the one already stored for the same
        (station_id, connector_id, id_tag, meter_start, started_at) — a retransmitted
        StartTransaction. The bool is True when a new row was created. Atomic: two
        concurrent identical calls create one row."""
        ...

    async def get(self, transaction_id: int) -> Transaction | None: ...

    async def get_by_station_tx_id(self, station_id: str, station_tx_id: str) -> Transaction | None: ...

    async def active_for_connector(
        self, station_id: str, evse_id: int, connector_id: int
    ) -> Transaction | None:
        """The newest Active transaction on that EVSE/connector, if any."""
        ...

    async def stop(self, transaction_id: int, stop: TransactionStop) -> Transaction:
        """Mark Stopped with the stop data. Stopping an already stopped transaction
        keeps the first stop data and returns it unchanged (retransmission).
        Raises KeyError if the id is unknown."""
        ...

    async def record_unknown_stop(
        self, station_id: str, station_tx_id: str, stop: TransactionStop
    ) -> Transaction:
        """Record a StopTransaction for a transaction csms never saw start: a new Stopped
        transaction (new csms id) with station_stop_unknown=True, station_tx_id set to
        what the station sent, meter_start=meter_stop, started_at=stopped_at, connector 0.
        A repeat for the same (station_id, station_tx_id) returns the existing row."""
        ...

    async def search(self, flt: TransactionFilter) -> list[Transaction]:
        """Newest started first."""
        ...


class MeterValueStore(Protocol):
    async def add_many(self, samples: Sequence[MeterSample]) -> None: ...

    async def for_transaction(self, transaction_id: int) -> list[MeterSample]:
        """Ordered by timestamp, then insertion order."""
        ...

    async def for_station(self, station_id: str, limit: int = 1000) -> list[MeterSample]:
        """Newest first."""
        ...


class StatusStore(Protocol):
    async def add_many(self, events: Sequence[StatusEvent]) -> None:
        """Append to the history and update the current status of each connector."""
        ...

    async def current(self, station_id: str) -> list[StatusEvent]:
        """The latest event per (evse_id, connector_id), ordered by evse, connector."""
        ...

    async def current_all(self) -> list[StatusEvent]:
        """:meth:`current` of every station at once (the dashboard's overview), ordered
        by station, evse, connector."""
        ...

    async def history(self, station_id: str, limit: int = 100) -> list[StatusEvent]:
        """Newest first."""
        ...

    async def recent_faults(self, limit: int = 10) -> list[StatusEvent]:
        """The newest status events of every station that report a fault (status Faulted
        or an errorCode other than NoError), newest (last received) first."""
        ...


class MessageLogStore(Protocol):
    async def add_many(self, messages: Sequence[OcppMessage]) -> None: ...

    async def recent(
        self,
        station_id: str,
        limit: int = 100,
        action: str | None = None,
        *,
        direction: Direction | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        offset: int = 0,
    ) -> list[OcppMessage]:
        """Newest first (by id, i.e. arrival order), skipping ``offset`` matches. ``since`` is
        inclusive and ``until`` exclusive (on ``at``)."""
        ...

    async def prune(self, older_than: datetime) -> int:
        """Delete messages logged before the given time; returns how many."""
        ...


@dataclass(frozen=True, slots=True)
class Stores:
    """Every store, as one bundle handed to the composition root."""

    stations: StationStore
    id_tags: IdTagStore
    transactions: TransactionStore
    meter_values: MeterValueStore
    statuses: StatusStore
    messages: MessageLogStore
    api_keys: ApiKeyStore
    reservations: ReservationStore
    station_state: StationStateStore
    tariffs: TariffStore
    tariff_assignments: TariffAssignmentStore
    drivers: DriverStore
    ledger: LedgerStore
    orders: OrderStore

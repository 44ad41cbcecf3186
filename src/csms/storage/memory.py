"""In-memory stores: the fakes service tests run against.

They honour the same contract as the SQL backend (``tests/storage`` runs one suite over
both): ids count up from 1 and are never reused, orderings and tie-breaks match the SQL
queries, retransmissions dedupe, datetimes come back as UTC and naive ones are refused.
Records are frozen dataclasses, so storing and returning them shares no mutable state;
every list returned is a fresh one. No method awaits, so each one is atomic.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from csms.domain import (
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
from csms.storage.interfaces import (
    BootInfo,
    NewTransaction,
    StationCredentials,
    StationExists,
    StationNotFound,
    Stores,
    TransactionFilter,
    TransactionStop,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Clock = Callable[[], datetime]
_R = TypeVar("_R", bound="DataclassInstance")

# Station fields maintained by record_boot/touch_many or set once by add; update() leaves them.
_NOT_EDITABLE = frozenset({"id", "created_at", "last_boot_at", "last_seen_at"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: csms stores timezone-aware UTC only")
    return value.astimezone(UTC)


def _utc_fields(record: _R) -> _R:
    """The record with every datetime field converted to UTC, as the SQL backend returns it."""
    changes: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, datetime):
            changes[f.name] = _utc(value)
    return replace(record, **changes) if changes else record


class MemoryStationStore:
    def __init__(self, clock: Clock = _utc_now) -> None:
        self._clock = clock
        self._stations: dict[str, Station] = {}

    async def add(self, station: Station) -> Station:
        if station.id in self._stations:
            raise StationExists(station.id)
        if station.created_at is None:
            station = replace(station, created_at=self._clock())
        station = _utc_fields(station)
        self._stations[station.id] = station
        return station

    async def get(self, station_id: str) -> Station | None:
        return self._stations.get(station_id)

    async def all(self) -> list[Station]:
        return [self._stations[key] for key in sorted(self._stations)]

    async def credentials(self) -> list[StationCredentials]:
        return [
            (s.id, s.password_hash, s.lenient, s.registration_status)
            for s in self._stations.values()
        ]

    async def update(self, station: Station) -> Station:
        stored = self._existing(station.id)
        editable = {
            f.name: getattr(station, f.name) for f in fields(Station) if f.name not in _NOT_EDITABLE
        }
        return self._put(replace(stored, **editable))

    async def delete(self, station_id: str) -> bool:
        return self._stations.pop(station_id, None) is not None

    async def record_boot(self, station_id: str, info: BootInfo, at: datetime) -> Station:
        stored = self._existing(station_id)
        boot = {f.name: getattr(info, f.name) for f in fields(BootInfo)}
        return self._put(replace(stored, **boot, last_boot_at=at, last_seen_at=at))

    async def record_boots(
        self, boots: Mapping[str, tuple[BootInfo, datetime]]
    ) -> dict[str, RegistrationStatus]:
        for _, at in boots.values():
            _utc(at)  # refuse a naive datetime before changing anything
        found: dict[str, RegistrationStatus] = {}
        for station_id, (info, at) in boots.items():
            if station_id in self._stations:
                station = await self.record_boot(station_id, info, at)
                found[station_id] = station.registration_status
        return found

    async def touch_many(self, last_seen: Mapping[str, datetime]) -> None:
        updates = {sid: _utc(at) for sid, at in last_seen.items()}
        for station_id, at in updates.items():
            stored = self._stations.get(station_id)
            if stored is not None:
                self._stations[station_id] = replace(stored, last_seen_at=at)

    def _existing(self, station_id: str) -> Station:
        stored = self._stations.get(station_id)
        if stored is None:
            raise StationNotFound(station_id)
        return stored

    def _put(self, station: Station) -> Station:
        station = _utc_fields(station)
        self._stations[station.id] = station
        return station


class MemoryIdTagStore:
    def __init__(self) -> None:
        self._tags: dict[str, IdTag] = {}

    async def upsert(self, tag: IdTag) -> IdTag:
        tag = _utc_fields(tag)
        self._tags[tag.id_tag] = tag
        return tag

    async def get(self, id_tag: str) -> IdTag | None:
        return self._tags.get(id_tag)

    async def all(self) -> list[IdTag]:
        return [self._tags[key] for key in sorted(self._tags)]

    async def delete(self, id_tag: str) -> bool:
        return self._tags.pop(id_tag, None) is not None

    async def by_owner(self, owner: str) -> list[IdTag]:
        return [self._tags[key] for key in sorted(self._tags) if self._tags[key].owner == owner]


def _newest_started_first(tx: Transaction) -> tuple[datetime, int]:
    return (tx.started_at, tx.id)


class MemoryTransactionStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._rows: dict[int, Transaction] = {}
        self._by_key: dict[tuple[str, object], int] = {}

    async def start(self, new: NewTransaction) -> tuple[Transaction, bool]:
        started_at = _utc(new.started_at)
        key = ("start", new.connector_id, new.id_tag, new.meter_start, started_at)
        existing = self._by_key.get((new.station_id, key))
        if existing is not None:
            return self._rows[existing], False
        tx = Transaction(
            id=next(self._ids),
            station_id=new.station_id,
            evse_id=new.evse_id,
            connector_id=new.connector_id,
            id_tag=new.id_tag,
            meter_start=new.meter_start,
            started_at=started_at,
            received_at=_utc(new.received_at),
            station_tx_id=new.station_tx_id,
            reservation_id=new.reservation_id,
        )
        self._rows[tx.id] = tx
        self._by_key[(new.station_id, key)] = tx.id
        return tx, True

    async def get(self, transaction_id: int) -> Transaction | None:
        return self._rows.get(transaction_id)

    async def get_by_station_tx_id(self, station_id: str, station_tx_id: str) -> Transaction | None:
        return self._newest(
            lambda tx: tx.station_id == station_id and tx.station_tx_id == station_tx_id
        )

    async def active_for_connector(
        self, station_id: str, evse_id: int, connector_id: int
    ) -> Transaction | None:
        return self._newest(
            lambda tx: (
                tx.station_id == station_id
                and tx.evse_id == evse_id
                and tx.connector_id == connector_id
                and tx.state is TransactionState.ACTIVE
            )
        )

    async def stop(self, transaction_id: int, stop: TransactionStop) -> Transaction:
        tx = self._rows.get(transaction_id)
        if tx is None:
            raise KeyError(transaction_id)
        if tx.state is TransactionState.STOPPED:
            return tx
        tx = _utc_fields(replace(tx, **_stop_fields(stop)))
        self._rows[tx.id] = tx
        return tx

    async def record_unknown_stop(
        self, station_id: str, station_tx_id: str, stop: TransactionStop
    ) -> Transaction:
        key = (station_id, ("stop", station_tx_id))
        existing = self._by_key.get(key)
        if existing is not None:
            return self._rows[existing]
        tx = Transaction(
            id=next(self._ids),
            station_id=station_id,
            evse_id=0,
            connector_id=0,
            id_tag=None,
            meter_start=stop.meter_stop,
            started_at=stop.stopped_at,
            received_at=stop.received_at,
            station_tx_id=station_tx_id,
            station_stop_unknown=True,
            **_stop_fields(stop),
        )
        tx = _utc_fields(tx)
        self._rows[tx.id] = tx
        self._by_key[key] = tx.id
        return tx

    async def search(self, flt: TransactionFilter) -> list[Transaction]:
        after = None if flt.started_after is None else _utc(flt.started_after)
        before = None if flt.started_before is None else _utc(flt.started_before)
        found = [
            tx
            for tx in self._rows.values()
            if (flt.station_id is None or tx.station_id == flt.station_id)
            and (flt.id_tag is None or tx.id_tag == flt.id_tag)
            and (flt.state is None or tx.state is flt.state)
            and (after is None or tx.started_at >= after)
            and (before is None or tx.started_at < before)
        ]
        found.sort(key=_newest_started_first, reverse=True)
        return found[flt.offset : flt.offset + flt.limit]

    def _newest(self, match: Callable[[Transaction], bool]) -> Transaction | None:
        return max(filter(match, self._rows.values()), key=_newest_started_first, default=None)


def _stop_fields(stop: TransactionStop) -> dict[str, Any]:
    return {
        "state": TransactionState.STOPPED,
        "meter_stop": stop.meter_stop,
        "stopped_at": stop.stopped_at,
        "stop_reason": stop.reason,
        "stop_id_tag": stop.id_tag,
        "stop_received_at": stop.received_at,
    }


class MemoryMeterValueStore:
    def __init__(self) -> None:
        self._samples: list[MeterSample] = []  # insertion order

    async def add_many(self, samples: Sequence[MeterSample]) -> None:
        self._samples.extend([_utc_fields(sample) for sample in samples])

    async def for_transaction(self, transaction_id: int) -> list[MeterSample]:
        found = [s for s in self._samples if s.transaction_id == transaction_id]
        found.sort(key=lambda s: s.timestamp)  # stable: insertion order breaks ties
        return found

    async def for_station(self, station_id: str, limit: int = 1000) -> list[MeterSample]:
        numbered = [(s.timestamp, n, s) for n, s in enumerate(self._samples)]
        found = [entry for entry in numbered if entry[2].station_id == station_id]
        found.sort(key=lambda entry: entry[:2], reverse=True)
        return [sample for _, _, sample in found[:limit]]


class MemoryStatusStore:
    def __init__(self) -> None:
        self._history: list[StatusEvent] = []  # insertion order
        self._current: dict[tuple[str, int, int], StatusEvent] = {}

    async def add_many(self, events: Sequence[StatusEvent]) -> None:
        events = [_utc_fields(event) for event in events]
        self._history.extend(events)
        for event in events:
            self._current[(event.station_id, event.evse_id, event.connector_id)] = event

    async def current(self, station_id: str) -> list[StatusEvent]:
        keys = sorted(key for key in self._current if key[0] == station_id)
        return [self._current[key] for key in keys]

    async def current_all(self) -> list[StatusEvent]:
        return [self._current[key] for key in sorted(self._current)]

    async def history(self, station_id: str, limit: int = 100) -> list[StatusEvent]:
        newest_first = (e for e in reversed(self._history) if e.station_id == station_id)
        return list(itertools.islice(newest_first, limit))

    async def recent_faults(self, limit: int = 10) -> list[StatusEvent]:
        newest_first = (
            e
            for e in reversed(self._history)
            if e.status is ConnectorStatus.FAULTED or e.error_code not in ("NoError", "")
        )
        return list(itertools.islice(newest_first, limit))


class MemoryMessageLogStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._messages: list[OcppMessage] = []  # ascending id

    async def add_many(self, messages: Sequence[OcppMessage]) -> None:
        self._messages.extend([replace(_utc_fields(m), id=next(self._ids)) for m in messages])

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
        since = None if since is None else _utc(since)
        until = None if until is None else _utc(until)
        newest_first = (
            m
            for m in reversed(self._messages)
            if m.station_id == station_id
            and (action is None or m.action == action)
            and (direction is None or m.direction is direction)
            and (since is None or m.at >= since)
            and (until is None or m.at < until)
        )
        return list(itertools.islice(newest_first, offset, offset + limit))

    async def prune(self, older_than: datetime) -> int:
        cutoff = _utc(older_than)
        kept = [m for m in self._messages if m.at >= cutoff]
        pruned = len(self._messages) - len(kept)
        self._messages = kept
        return pruned


def memory_stores(clock: Clock = _utc_now) -> Stores:
    """Every store, in memory; ``clock`` stamps ``Station.created_at`` when unset."""
    # Imported here: memory_operations and memory_billing build on this module's helpers.
    from csms.storage.memory_billing import (
        MemoryDriverStore,
        MemoryLedgerStore,
        MemoryOrderStore,
        MemoryTariffAssignmentStore,
        MemoryTariffStore,
    )
    from csms.storage.memory_operations import (
        MemoryApiKeyStore,
        MemoryReservationStore,
        MemoryStationStateStore,
    )

    return Stores(
        stations=MemoryStationStore(clock),
        id_tags=MemoryIdTagStore(),
        transactions=MemoryTransactionStore(),
        meter_values=MemoryMeterValueStore(),
        statuses=MemoryStatusStore(),
        messages=MemoryMessageLogStore(),
        api_keys=MemoryApiKeyStore(),
        reservations=MemoryReservationStore(),
        station_state=MemoryStationStateStore(),
        tariffs=MemoryTariffStore(),
        tariff_assignments=MemoryTariffAssignmentStore(),
        drivers=MemoryDriverStore(),
        ledger=MemoryLedgerStore(),
        orders=MemoryOrderStore(),
    )

"""Transactions and meter values (OCPP 1.6 §4.3 StartTransaction, §4.7 MeterValues,
§4.10 StopTransaction; reused by 2.0.1 TransactionEvent).

Rules that are easy to get wrong (ARCHITECTURE.md):

* a retransmitted StartTransaction (same station, connector, idTag, meterStart and
  timestamp) gets the transaction id it got the first time;
* a StopTransaction for an id csms never issued is accepted and recorded, never refused
  (or the station retries forever);
* meter values without a transaction id, or with one csms does not know, that fall
  inside a transaction on the same connector are attached to it (offline queues);
* everything is committed before the station is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import structlog

from csms.domain import AuthorizationStatus, MeterSample, Transaction
from csms.services.authorization import AuthorizationService, TagInfo
from csms.services.clock import Clock
from csms.services.write_behind import WriteBehind
from csms.storage import NewTransaction, TransactionFilter, TransactionStop, TransactionStore

_log = structlog.get_logger(__name__)
_OWNERS_KEPT = 100_000  # transaction ids remembered with their station (MeterValues)


@dataclass(frozen=True, slots=True)
class Reading:
    """One sampled value as a station reported it, before it is attached to a transaction."""

    timestamp: datetime
    value: str
    measurand: str | None = None
    unit: str | None = None
    phase: str | None = None
    context: str | None = None
    location: str | None = None
    format: str | None = None


@dataclass(frozen=True, slots=True)
class Started:
    transaction: Transaction
    tag: TagInfo
    retransmitted: bool


@dataclass(frozen=True, slots=True)
class Stopped:
    transaction: Transaction
    tag: TagInfo | None
    known: bool


class TransactionObserver(Protocol):
    """Told, once stored, of each new transaction, its meter values and its stop
    (live events, reservations). Must not raise."""

    async def started(self, transaction: Transaction) -> None: ...

    async def updated(self, samples: Sequence[MeterSample]) -> None: ...

    async def stopped(self, transaction: Transaction) -> None: ...


class TransactionService:
    def __init__(
        self,
        transactions: TransactionStore,
        authorization: AuthorizationService,
        write_behind: WriteBehind,
        clock: Clock,
        observer: TransactionObserver | None = None,
    ) -> None:
        self._transactions = transactions
        self._authorization = authorization
        self._write_behind = write_behind
        self._clock = clock
        self._observer = observer
        self._owners: dict[int, str] = {}  # transaction id -> station id, see _known_id

    async def start(self, new: NewTransaction) -> Started:
        """Store a StartTransaction and authorize its tag (1.6 §6.46)."""
        transaction, created = await self._transactions.start(new)
        tag = (
            await self._authorization.authorize(new.id_tag, exclude_transaction=transaction.id)
            if new.id_tag is not None
            else TagInfo(AuthorizationStatus.ACCEPTED)
        )
        self._remember(transaction)
        if not created:
            _log.info("transaction.start_retransmitted", transaction_id=transaction.id)
        elif self._observer is not None:
            await self._observer.started(transaction)
        return Started(transaction, tag, retransmitted=not created)

    async def stop(
        self,
        station_id: str,
        station_transaction_id: int | str,
        stop: TransactionStop,
        readings: Sequence[tuple[int, int, Reading]] = (),
    ) -> Stopped:
        """Store a StopTransaction and its transactionData (1.6 §6.49).

        ``readings`` are (evse, connector, reading) triples from transactionData.
        """
        transaction = await self._find(station_id, station_transaction_id)
        known = transaction is not None
        if transaction is None:
            _log.warning(
                "transaction.stop_unknown",
                station_id=station_id,
                transaction_id=station_transaction_id,
            )
            transaction = await self._transactions.record_unknown_stop(
                station_id, str(station_transaction_id), stop
            )
        else:
            transaction = await self._transactions.stop(transaction.id, stop)
        samples = [
            _sample(
                station_id,
                transaction.evse_id or evse,
                transaction.connector_id or connector,
                transaction.id,
                reading,
                stop.received_at,
            )
            for evse, connector, reading in readings
        ]
        await self._write_behind.store_samples(samples)
        if self._observer is not None:
            await self._observer.stopped(transaction)
        tag = await self._authorization.describe(stop.id_tag) if stop.id_tag else None
        return Stopped(transaction, tag, known)

    async def meter_values(
        self,
        station_id: str,
        evse_id: int,
        connector_id: int,
        station_transaction_id: int | str | None,
        readings: Sequence[Reading],
    ) -> None:
        """Store the readings of a MeterValues report, attached to the right transaction."""
        received_at = self._clock.now()
        by_id = (
            await self._known_id(station_id, station_transaction_id)
            if station_transaction_id is not None
            else None
        )
        candidates = (
            []
            if by_id is not None
            else await self._recent_on_connector(station_id, evse_id, connector_id)
        )
        samples = []
        for reading in readings:
            if by_id is not None:
                transaction_id: int | None = by_id
            else:
                covering = _covering(candidates, reading.timestamp)
                transaction_id = covering.id if covering else None
            samples.append(
                _sample(station_id, evse_id, connector_id, transaction_id, reading, received_at)
            )
        await self._write_behind.store_samples(samples)
        if self._observer is not None:
            await self._observer.updated(samples)

    async def _known_id(self, station_id: str, station_transaction_id: int | str) -> int | None:
        """csms's id of the station's transaction, or None when it is not the station's.

        A transaction's id and station never change and rows are never deleted, so a
        found 1.6 id is remembered: MeterValues during a transaction (the hot path)
        need no query. Misses are not remembered (the id may be issued later).
        """
        if isinstance(station_transaction_id, int):
            owner = self._owners.get(station_transaction_id)
            if owner is not None:
                return station_transaction_id if owner == station_id else None
        found = await self._find(station_id, station_transaction_id)
        if found is None:
            return None
        self._remember(found)
        return found.id

    def _remember(self, transaction: Transaction) -> None:
        owners = self._owners
        if len(owners) >= _OWNERS_KEPT:
            del owners[next(iter(owners))]  # the oldest entry
        owners[transaction.id] = transaction.station_id

    async def _find(self, station_id: str, station_transaction_id: int | str) -> Transaction | None:
        if isinstance(station_transaction_id, int):
            found = await self._transactions.get(station_transaction_id)
            return found if found is not None and found.station_id == station_id else None
        return await self._transactions.get_by_station_tx_id(station_id, station_transaction_id)

    async def _recent_on_connector(
        self, station_id: str, evse_id: int, connector_id: int
    ) -> list[Transaction]:
        if connector_id == 0 and evse_id == 0:
            return []
        recent = await self._transactions.search(TransactionFilter(station_id=station_id, limit=20))
        return [t for t in recent if (t.evse_id, t.connector_id) == (evse_id, connector_id)]


def _covering(transactions: Sequence[Transaction], moment: datetime) -> Transaction | None:
    """The transaction whose [start, stop] contains ``moment`` (newest first)."""
    for transaction in transactions:
        ended = transaction.stopped_at
        if transaction.started_at <= moment and (ended is None or moment <= ended):
            return transaction
    return None


def _sample(
    station_id: str,
    evse_id: int,
    connector_id: int,
    transaction_id: int | None,
    reading: Reading,
    received_at: datetime,
) -> MeterSample:
    measurand = reading.measurand or "Energy.Active.Import.Register"  # 1.6 §7.43 default
    unit = reading.unit or ("Wh" if measurand.startswith("Energy") else None)
    return MeterSample(
        station_id=station_id,
        evse_id=evse_id,
        connector_id=connector_id,
        transaction_id=transaction_id,
        timestamp=reading.timestamp,
        received_at=received_at,
        value=reading.value,
        measurand=measurand,
        unit=unit,
        phase=reading.phase,
        context=reading.context,
        location=reading.location,
        format=reading.format,
    )

"""What the API shows of transactions: filtered lists (a driver sees only sessions of
their own tags), detail with every meter value, energy in Wh and duration."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from csms.domain import MeterSample, Transaction, TransactionState
from csms.services.clock import Clock
from csms.storage import IdTagStore, MeterValueStore, TransactionFilter, TransactionStore

ENERGY_REGISTER = "Energy.Active.Import.Register"


@dataclass(frozen=True, slots=True)
class TransactionQuery:
    """Filters; ``owner`` restricts to sessions of that owner's id tags."""

    station_id: str | None = None
    id_tag: str | None = None
    state: TransactionState | None = None
    since: datetime | None = None  # started at or after
    until: datetime | None = None  # started before
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class TransactionView:
    transaction: Transaction
    energy_wh: float | None  # delivered so far (detail) or in total (stopped)
    duration_s: float  # until the stop, or until now while active
    meter_values: tuple[MeterSample, ...] = ()


class TransactionViews:
    def __init__(
        self,
        transactions: TransactionStore,
        meter_values: MeterValueStore,
        tags: IdTagStore,
        clock: Clock,
    ) -> None:
        self._transactions = transactions
        self._meter_values = meter_values
        self._tags = tags
        self._clock = clock

    async def search(
        self, query: TransactionQuery, *, limit: int = 100, offset: int = 0
    ) -> list[TransactionView]:
        """Newest started first."""
        flt = TransactionFilter(
            station_id=query.station_id,
            id_tag=query.id_tag,
            state=query.state,
            started_after=query.since,
            started_before=query.until,
            limit=limit,
            offset=offset,
        )
        if query.owner is None:
            found = await self._transactions.search(flt)
        else:
            found = await self._owned(flt, query.owner)
        return [self._view(tx) for tx in found]

    async def export(self, query: TransactionQuery, batch: int = 500) -> AsyncIterator[TransactionView]:
        """Every match, newest first, fetched in batches."""
        offset = 0
        while True:
            views = await self.search(query, limit=batch, offset=offset)
            for view in views:
                yield view
            if len(views) < batch:
                return
            offset += batch

    async def detail(self, transaction_id: int, *, owner: str | None = None) -> TransactionView | None:
        """The transaction with its meter values; None if unknown or not ``owner``'s."""
        tx = await self._transactions.get(transaction_id)
        if tx is None or (owner is not None and not await self._owns(owner, tx)):
            return None
        samples = tuple(await self._meter_values.for_transaction(tx.id))
        energy = tx.energy_wh if tx.energy_wh is not None else _energy_so_far(tx, samples)
        return replace(self._view(tx), energy_wh=energy, meter_values=samples)

    async def _owned(self, flt: TransactionFilter, owner: str) -> list[Transaction]:
        tags = [tag.id_tag for tag in await self._tags.by_owner(owner)]
        if flt.id_tag is not None:
            tags = [tag for tag in tags if tag == flt.id_tag]
        wanted = replace(flt, limit=flt.offset + flt.limit, offset=0)
        merged: list[Transaction] = []
        for tag in tags:
            merged.extend(await self._transactions.search(replace(wanted, id_tag=tag)))
        merged.sort(key=lambda tx: (tx.started_at, tx.id), reverse=True)
        return merged[flt.offset : flt.offset + flt.limit]

    async def _owns(self, owner: str, tx: Transaction) -> bool:
        if tx.id_tag is None:
            return False
        tag = await self._tags.get(tx.id_tag)
        return tag is not None and tag.owner == owner

    def _view(self, tx: Transaction) -> TransactionView:
        end = tx.stopped_at or self._clock.now()
        duration = max((end - tx.started_at).total_seconds(), 0.0)
        energy = float(tx.energy_wh) if tx.energy_wh is not None else None
        return TransactionView(tx, energy, duration)


def _energy_so_far(tx: Transaction, samples: Sequence[MeterSample]) -> float | None:
    """From the latest whole-meter energy register reading, while the session runs."""
    for sample in reversed(samples):
        if sample.measurand != ENERGY_REGISTER or sample.phase is not None:
            continue
        try:
            value = float(sample.value)
        except ValueError:
            continue
        wh = value * 1000 if (sample.unit or "Wh") == "kWh" else value
        return max(wh - tx.meter_start, 0.0)
    return None

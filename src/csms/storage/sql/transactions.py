"""The SQL transaction store.

Retransmissions dedupe atomically: each row carries a ``dedupe_key`` unique per station, and
``start``/``record_unknown_stop`` INSERT ... ON CONFLICT DO NOTHING, then read the row that won.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from csms.domain import Transaction, TransactionState
from csms.storage.interfaces import NewTransaction, TransactionFilter, TransactionStop
from csms.storage.sql._common import upsert_insert, write_transaction
from csms.storage.sql.tables import transactions

_FIELDS = [c.name for c in transactions.c if c.name != "dedupe_key"]
_t = transactions.c


def start_key(new: NewTransaction) -> str:
    """The dedupe key of a StartTransaction: (connector, meter_start, started_at, id_tag).

    The id tag comes last so that any character in it is unambiguous; None and "" differ.
    """
    tag = "-" if new.id_tag is None else "=" + new.id_tag
    started = new.started_at.astimezone(UTC).isoformat()
    return f"start|{new.connector_id}|{new.meter_start}|{started}|{tag}"


def unknown_stop_key(station_tx_id: str) -> str:
    """The dedupe key of a stop for a transaction csms never saw start."""
    return f"stop|{station_tx_id}"


def _transaction(row: Row[Any]) -> Transaction:
    values = {name: row._mapping[name] for name in _FIELDS}
    values["state"] = TransactionState(values["state"])
    return Transaction(**values)


def _stop_values(stop: TransactionStop) -> dict[str, Any]:
    return {
        "state": TransactionState.STOPPED.value,
        "meter_stop": stop.meter_stop,
        "stopped_at": stop.stopped_at,
        "stop_reason": stop.reason,
        "stop_id_tag": stop.id_tag,
        "stop_received_at": stop.received_at,
    }


class SqlTransactionStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def start(self, new: NewTransaction) -> tuple[Transaction, bool]:
        row = {
            "station_id": new.station_id,
            "evse_id": new.evse_id,
            "connector_id": new.connector_id,
            "id_tag": new.id_tag,
            "meter_start": new.meter_start,
            "started_at": new.started_at,
            "received_at": new.received_at,
            "state": TransactionState.ACTIVE.value,
            "station_tx_id": new.station_tx_id,
            "reservation_id": new.reservation_id,
            "station_stop_unknown": False,
            "dedupe_key": start_key(new),
        }
        return await self._insert_once(row)

    async def get(self, transaction_id: int) -> Transaction | None:
        return await self._first(_t.id == transaction_id)

    async def get_by_station_tx_id(self, station_id: str, station_tx_id: str) -> Transaction | None:
        return await self._first(
            and_(_t.station_id == station_id, _t.station_tx_id == station_tx_id)
        )

    async def active_for_connector(
        self, station_id: str, evse_id: int, connector_id: int
    ) -> Transaction | None:
        return await self._first(
            and_(
                _t.station_id == station_id,
                _t.evse_id == evse_id,
                _t.connector_id == connector_id,
                _t.state == TransactionState.ACTIVE.value,
            )
        )

    async def stop(self, transaction_id: int, stop: TransactionStop) -> Transaction:
        stmt = (
            update(transactions)
            .where(_t.id == transaction_id, _t.state == TransactionState.ACTIVE.value)
            .values(_stop_values(stop))
            .returning(*transactions.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
            if row is None:  # unknown, or already stopped: keep the first stop
                row = (
                    await conn.execute(select(transactions).where(_t.id == transaction_id))
                ).first()
        if row is None:
            raise KeyError(transaction_id)
        return _transaction(row)

    async def record_unknown_stop(
        self, station_id: str, station_tx_id: str, stop: TransactionStop
    ) -> Transaction:
        row = {
            "station_id": station_id,
            "evse_id": 0,
            "connector_id": 0,
            "id_tag": None,
            "meter_start": stop.meter_stop,
            "started_at": stop.stopped_at,
            "received_at": stop.received_at,
            "station_tx_id": station_tx_id,
            "reservation_id": None,
            "station_stop_unknown": True,
            "dedupe_key": unknown_stop_key(station_tx_id),
            **_stop_values(stop),
        }
        transaction, _ = await self._insert_once(row)
        return transaction

    async def search(self, flt: TransactionFilter) -> list[Transaction]:
        stmt = select(transactions)
        if flt.station_id is not None:
            stmt = stmt.where(_t.station_id == flt.station_id)
        if flt.id_tag is not None:
            stmt = stmt.where(_t.id_tag == flt.id_tag)
        if flt.state is not None:
            stmt = stmt.where(_t.state == flt.state.value)
        if flt.started_after is not None:
            stmt = stmt.where(_t.started_at >= flt.started_after)
        if flt.started_before is not None:
            stmt = stmt.where(_t.started_at < flt.started_before)
        stmt = stmt.order_by(_t.started_at.desc(), _t.id.desc()).limit(flt.limit).offset(flt.offset)
        async with self._engine.connect() as conn:
            return [_transaction(row) for row in await conn.execute(stmt)]

    async def _insert_once(self, row: dict[str, Any]) -> tuple[Transaction, bool]:
        # Look first, so a retransmission neither writes nor burns a sequence value; the
        # ON CONFLICT covers the race of two identical calls that both found nothing.
        station_id, key = row["station_id"], row["dedupe_key"]
        stmt = (
            upsert_insert(self._engine, transactions)
            .values(row)
            .on_conflict_do_nothing(index_elements=[_t.station_id, _t.dedupe_key])
            .returning(*transactions.c)
        )
        async with write_transaction(self._engine) as conn:
            existing = await self._by_key(conn, station_id, key)
            if existing is None:
                inserted = (await conn.execute(stmt)).first()
                if inserted is not None:
                    return _transaction(inserted), True
                existing = await self._by_key(conn, station_id, key)
        assert existing is not None, "ON CONFLICT found a row that the key lookup did not"
        return _transaction(existing), False

    @staticmethod
    async def _by_key(conn: AsyncConnection, station_id: str, dedupe_key: str) -> Row[Any] | None:
        stmt = select(transactions).where(_t.station_id == station_id, _t.dedupe_key == dedupe_key)
        return (await conn.execute(stmt)).first()

    async def _first(self, where: ColumnElement[bool]) -> Transaction | None:
        stmt = (
            select(transactions).where(where).order_by(_t.started_at.desc(), _t.id.desc()).limit(1)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        return None if row is None else _transaction(row)

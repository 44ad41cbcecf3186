"""SQL stores for stations, id tags and the append-only logs (samples, statuses, frames).

Each method runs in its own database transaction (writes through ``write_transaction``, one
at a time on SQLite). Batches go to the database as one driver-level executemany, never row
by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Row, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.domain import (
    AuthorizationStatus,
    ConnectorStatus,
    Direction,
    IdTag,
    MeterSample,
    OcppMessage,
    RegistrationStatus,
    Station,
    StatusEvent,
)
from csms.storage.interfaces import BootInfo, StationCredentials, StationExists, StationNotFound
from csms.storage.sql._common import Clock, upsert_insert, utc_now, write_transaction
from csms.storage.sql.bulk import BulkStatement, bulk_insert, bulk_update, utc_columns
from csms.storage.sql.tables import (
    id_tags,
    message_log,
    meter_values,
    stations,
    status_current,
    status_events,
)

# Station fields maintained by record_boot/touch_many or set once by add; update() leaves them.
_NOT_EDITABLE = frozenset({"id", "created_at", "last_boot_at", "last_seen_at"})
_EDITABLE = [c.name for c in stations.c if c.name not in _NOT_EDITABLE]


def _plain(value: object) -> object:
    """Enum members as their value, so every driver sees a plain str."""
    return value.value if isinstance(value, Enum) else value


def _station_row(station: Station) -> dict[str, Any]:
    return {c.name: _plain(getattr(station, c.name)) for c in stations.c}


def _station(row: Row[Any]) -> Station:
    values = dict(row._mapping)
    values["registration_status"] = RegistrationStatus(values["registration_status"])
    return Station(**values)


_REGISTRATION = {status.value: status for status in RegistrationStatus}
_BOOT_COLUMNS = [
    "ocpp_version",
    "vendor",
    "model",
    "serial_number",
    "charge_box_serial_number",
    "firmware_version",
    "iccid",
    "imsi",
    "meter_type",
    "meter_serial_number",
    "last_boot_at",
    "last_seen_at",
]
_IN_CHUNK = 1000  # ids per IN (...): far below SQLite's and asyncpg's parameter limits


def _boot_values(info: BootInfo, at: datetime) -> dict[str, Any]:
    """What a BootNotification sets on the station's row (``_BOOT_COLUMNS``)."""
    return {
        "ocpp_version": info.ocpp_version,
        "vendor": info.vendor,
        "model": info.model,
        "serial_number": info.serial_number,
        "charge_box_serial_number": info.charge_box_serial_number,
        "firmware_version": info.firmware_version,
        "iccid": info.iccid,
        "imsi": info.imsi,
        "meter_type": info.meter_type,
        "meter_serial_number": info.meter_serial_number,
        "last_boot_at": at,
        "last_seen_at": at,
    }


class SqlStationStore:
    def __init__(self, engine: AsyncEngine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock
        self._touch = bulk_update(stations, engine.dialect, "id", ["last_seen_at"])
        self._boot = bulk_update(stations, engine.dialect, "id", _BOOT_COLUMNS)
        if self._touch.names != ("b_last_seen_at", "b_id"):  # SET before WHERE, as compiled
            raise ValueError(f"{engine.dialect.name}: parameters in order {self._touch.names}")

    async def add(self, station: Station) -> Station:
        if station.created_at is None:
            station = replace(station, created_at=self._clock())
        stmt = (
            upsert_insert(self._engine, stations)
            .values(_station_row(station))
            .on_conflict_do_nothing(index_elements=[stations.c.id])
            .returning(*stations.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise StationExists(station.id)
        return _station(row)

    async def get(self, station_id: str) -> Station | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(stations).where(stations.c.id == station_id))).first()
        return None if row is None else _station(row)

    async def all(self) -> list[Station]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(stations).order_by(stations.c.id))
        return [_station(row) for row in rows]

    async def update(self, station: Station) -> Station:
        values = {name: _plain(getattr(station, name)) for name in _EDITABLE}
        return await self._update(station.id, values)

    async def delete(self, station_id: str) -> bool:
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(delete(stations).where(stations.c.id == station_id))
        return result.rowcount > 0

    async def record_boot(self, station_id: str, info: BootInfo, at: datetime) -> Station:
        return await self._update(station_id, _boot_values(info, at))

    async def record_boots(
        self, boots: Mapping[str, tuple[BootInfo, datetime]]
    ) -> dict[str, RegistrationStatus]:
        if not boots:
            return {}
        rows = [
            {"b_id": station_id, **{f"b_{k}": v for k, v in _boot_values(info, at).items()}}
            for station_id, (info, at) in boots.items()
        ]
        ids = list(boots)
        c = stations.c
        found: dict[str, RegistrationStatus] = {}
        async with write_transaction(self._engine) as conn:
            await self._boot.run(conn, rows)
            for start in range(0, len(ids), _IN_CHUNK):
                chunk = ids[start : start + _IN_CHUNK]
                stmt = select(c.id, c.registration_status).where(c.id.in_(chunk))
                for station_id, status in await conn.execute(stmt):
                    found[station_id] = _REGISTRATION[status]
        return found

    async def touch_many(self, last_seen: Mapping[str, datetime]) -> None:
        if not last_seen:
            return
        rows = [(at, station_id) for station_id, at in last_seen.items()]
        async with write_transaction(self._engine) as conn:
            await self._touch.run_tuples(conn, rows)

    async def credentials(self) -> list[StationCredentials]:
        c = stations.c
        stmt = select(c.id, c.password_hash, c.lenient, c.registration_status)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [
            (station_id, password_hash, bool(lenient), _REGISTRATION[status])
            for station_id, password_hash, lenient, status in rows
        ]

    async def _update(self, station_id: str, values: dict[str, Any]) -> Station:
        stmt = (
            update(stations)
            .where(stations.c.id == station_id)
            .values(values)
            .returning(*stations.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise StationNotFound(station_id)
        return _station(row)


def _id_tag(row: Row[Any]) -> IdTag:
    return IdTag(
        id_tag=row.id_tag,
        status=AuthorizationStatus(row.status),
        expiry_date=row.expiry_date,
        parent_id_tag=row.parent_id_tag,
        owner=row.owner,
    )


class SqlIdTagStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def upsert(self, tag: IdTag) -> IdTag:
        insert = upsert_insert(self._engine, id_tags)
        stmt = (
            insert.values(
                id_tag=tag.id_tag,
                status=tag.status.value,
                expiry_date=tag.expiry_date,
                parent_id_tag=tag.parent_id_tag,
                owner=tag.owner,
            )
            .on_conflict_do_update(
                index_elements=[id_tags.c.id_tag],
                set_={
                    "status": insert.excluded.status,
                    "expiry_date": insert.excluded.expiry_date,
                    "parent_id_tag": insert.excluded.parent_id_tag,
                    "owner": insert.excluded.owner,
                },
            )
            .returning(*id_tags.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).one()
        return _id_tag(row)

    async def get(self, id_tag: str) -> IdTag | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(id_tags).where(id_tags.c.id_tag == id_tag))).first()
        return None if row is None else _id_tag(row)

    async def all(self) -> list[IdTag]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(id_tags).order_by(id_tags.c.id_tag))
        return [_id_tag(row) for row in rows]

    async def delete(self, id_tag: str) -> bool:
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(delete(id_tags).where(id_tags.c.id_tag == id_tag))
        return result.rowcount > 0

    async def by_owner(self, owner: str) -> list[IdTag]:
        stmt = select(id_tags).where(id_tags.c.owner == owner).order_by(id_tags.c.id_tag)
        async with self._engine.connect() as conn:
            return [_id_tag(row) for row in await conn.execute(stmt)]


_SAMPLE_FIELDS = [c.name for c in meter_values.c if c.name != "id"]
_MESSAGE_FIELDS = ["station_id", "direction", "at", "frame", "action", "message_id"]


def _sample(row: Row[Any]) -> MeterSample:
    return MeterSample(**{name: row._mapping[name] for name in _SAMPLE_FIELDS})


class SqlMeterValueStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert = bulk_insert(meter_values, engine.dialect, _SAMPLE_FIELDS)

    async def add_many(self, samples: Sequence[MeterSample]) -> None:
        if not samples:
            return
        rows = [{name: getattr(s, name) for name in _SAMPLE_FIELDS} for s in samples]
        async with write_transaction(self._engine) as conn:
            await self._insert.run(conn, rows)

    async def for_transaction(self, transaction_id: int) -> list[MeterSample]:
        stmt = (
            select(meter_values)
            .where(meter_values.c.transaction_id == transaction_id)
            .order_by(meter_values.c.timestamp, meter_values.c.id)
        )
        async with self._engine.connect() as conn:
            return [_sample(row) for row in await conn.execute(stmt)]

    async def for_station(self, station_id: str, limit: int = 1000) -> list[MeterSample]:
        stmt = (
            select(meter_values)
            .where(meter_values.c.station_id == station_id)
            .order_by(meter_values.c.timestamp.desc(), meter_values.c.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_sample(row) for row in await conn.execute(stmt)]


_STATUS_FIELDS = [c.name for c in status_current.c]


def _status_row(event: StatusEvent) -> dict[str, Any]:
    return {name: _plain(getattr(event, name)) for name in _STATUS_FIELDS}


def _status(row: Row[Any]) -> StatusEvent:
    values = {name: row._mapping[name] for name in _STATUS_FIELDS}
    values["status"] = ConnectorStatus(values["status"])
    return StatusEvent(**values)


class SqlStatusStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # Both through the driver's executemany (a boot storm sends three per station).
        self._insert = bulk_insert(status_events, engine.dialect, _STATUS_FIELDS)
        insert = upsert_insert(engine, status_current)
        key = ["station_id", "evse_id", "connector_id"]
        upsert = insert.values({name: bindparam(name) for name in _STATUS_FIELDS})
        upsert = upsert.on_conflict_do_update(
            index_elements=key,
            set_={name: insert.excluded[name] for name in _STATUS_FIELDS if name not in key},
        )
        self._upsert = BulkStatement(
            upsert, utc_columns(status_current, _STATUS_FIELDS), engine.dialect
        )

    async def add_many(self, events: Sequence[StatusEvent]) -> None:
        if not events:
            return
        rows = [_status_row(event) for event in events]
        # The last event of the batch per connector wins; one row per key, because
        # PostgreSQL refuses to upsert the same row twice in one statement.
        latest = {(r["station_id"], r["evse_id"], r["connector_id"]): r for r in rows}
        async with write_transaction(self._engine) as conn:
            await self._insert.run(conn, rows)
            await self._upsert.run(conn, list(latest.values()))

    async def current(self, station_id: str) -> list[StatusEvent]:
        stmt = (
            select(status_current)
            .where(status_current.c.station_id == station_id)
            .order_by(status_current.c.evse_id, status_current.c.connector_id)
        )
        async with self._engine.connect() as conn:
            return [_status(row) for row in await conn.execute(stmt)]

    async def current_all(self) -> list[StatusEvent]:
        c = status_current.c
        stmt = select(status_current).order_by(c.station_id, c.evse_id, c.connector_id)
        async with self._engine.connect() as conn:
            return [_status(row) for row in await conn.execute(stmt)]

    async def history(self, station_id: str, limit: int = 100) -> list[StatusEvent]:
        stmt = (
            select(status_events)
            .where(status_events.c.station_id == station_id)
            .order_by(status_events.c.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_status(row) for row in await conn.execute(stmt)]

    async def recent_faults(self, limit: int = 10) -> list[StatusEvent]:
        stmt = (
            select(status_events)
            .where(
                or_(
                    status_events.c.status == ConnectorStatus.FAULTED.value,
                    status_events.c.error_code.not_in(("NoError", "")),
                )
            )
            .order_by(status_events.c.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_status(row) for row in await conn.execute(stmt)]


def _message(row: Row[Any]) -> OcppMessage:
    return OcppMessage(
        id=row.id,
        station_id=row.station_id,
        direction=Direction(row.direction),
        at=row.at,
        frame=row.frame,
        action=row.action,
        message_id=row.message_id,
    )


class SqlMessageLogStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert = bulk_insert(message_log, engine.dialect, _MESSAGE_FIELDS)

    async def add_many(self, messages: Sequence[OcppMessage]) -> None:
        if not messages:
            return
        rows = [
            {
                "station_id": m.station_id,
                "direction": m.direction.value,
                "at": m.at,
                "frame": m.frame,
                "action": m.action,
                "message_id": m.message_id,
            }
            for m in messages
        ]
        async with write_transaction(self._engine) as conn:
            await self._insert.run(conn, rows)

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
        stmt = select(message_log).where(message_log.c.station_id == station_id)
        if action is not None:
            stmt = stmt.where(message_log.c.action == action)
        if direction is not None:
            stmt = stmt.where(message_log.c.direction == direction.value)
        if since is not None:
            stmt = stmt.where(message_log.c.at >= since)
        if until is not None:
            stmt = stmt.where(message_log.c.at < until)
        stmt = stmt.order_by(message_log.c.id.desc()).limit(limit).offset(offset)
        async with self._engine.connect() as conn:
            return [_message(row) for row in await conn.execute(stmt)]

    async def prune(self, older_than: datetime) -> int:
        stmt = delete(message_log).where(message_log.c.at < older_than)
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(stmt)
        return result.rowcount

"""SQL stores for operating stations (``csms.storage.operations``): API keys, reservations
and what csms remembers of a station's state.

Each method runs in its own database transaction. Replacing a set (a station's certificates
of one type, its local list) deletes and inserts in that one transaction, so readers see the
old set or the new one, never a mix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.domain.operations import (
    ApiKey,
    ConfigurationEntry,
    ConnectorAvailability,
    InstalledCertificate,
    LocalList,
    LocalListEntry,
    Reservation,
    ReservationStatus,
    Role,
)
from csms.storage.memory_operations import (
    DUE_TO_EXPIRE,
    checked_certificates,
    kept_local_list_entries,
)
from csms.storage.sql._common import UpsertInsert, upsert_insert, write_transaction
from csms.storage.sql.tables import (
    api_keys,
    connector_availability,
    installed_certificates,
    local_list_entries,
    local_lists,
    reservations,
    station_configuration,
)

_k = api_keys.c
_r = reservations.c


def _api_key(row: Row[Any]) -> ApiKey:
    values = dict(row._mapping)
    values["role"] = Role(values["role"])
    return ApiKey(**values)


class SqlApiKeyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(
        self, name: str, role: Role, key_hash: str, created_at: datetime, owner: str | None = None
    ) -> ApiKey:
        stmt = (
            upsert_insert(self._engine, api_keys)
            .values(
                name=name,
                role=Role(role).value,
                key_hash=key_hash,
                created_at=created_at,
                owner=owner,
                revoked=False,
            )
            .on_conflict_do_nothing(index_elements=[_k.key_hash])
            .returning(*api_keys.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise ValueError("an API key with this hash is already stored")
        return _api_key(row)

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(api_keys).where(_k.key_hash == key_hash))).first()
        return None if row is None else _api_key(row)

    async def all(self) -> list[ApiKey]:
        async with self._engine.connect() as conn:
            return [_api_key(row) for row in await conn.execute(select(api_keys).order_by(_k.id))]

    async def revoke(self, key_id: int) -> bool:
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(
                update(api_keys).where(_k.id == key_id).values(revoked=True)
            )
        return result.rowcount > 0

    async def touch(self, key_id: int, at: datetime) -> None:
        async with write_transaction(self._engine) as conn:
            await conn.execute(update(api_keys).where(_k.id == key_id).values(last_used_at=at))


def _reservation(row: Row[Any]) -> Reservation:
    values = dict(row._mapping)
    values["status"] = ReservationStatus(values["status"])
    return Reservation(**values)


class SqlReservationStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(
        self,
        station_id: str,
        connector_id: int,
        id_tag: str,
        expiry_date: datetime,
        created_at: datetime,
        parent_id_tag: str | None = None,
    ) -> Reservation:
        stmt = (
            reservations.insert()
            .values(
                station_id=station_id,
                connector_id=connector_id,
                id_tag=id_tag,
                expiry_date=expiry_date,
                created_at=created_at,
                status=ReservationStatus.PENDING.value,
                parent_id_tag=parent_id_tag,
            )
            .returning(*reservations.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).one()
        return _reservation(row)

    async def get(self, reservation_id: int) -> Reservation | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(reservations).where(_r.id == reservation_id))).first()
        return None if row is None else _reservation(row)

    async def set_status(
        self,
        reservation_id: int,
        status: ReservationStatus,
        *,
        station_answer: str | None = None,
        transaction_id: int | None = None,
    ) -> Reservation:
        values: dict[str, Any] = {"status": ReservationStatus(status).value}
        if station_answer is not None:
            values["station_answer"] = station_answer
        if transaction_id is not None:
            values["transaction_id"] = transaction_id
        stmt = (
            update(reservations)
            .where(_r.id == reservation_id)
            .values(values)
            .returning(*reservations.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise KeyError(reservation_id)
        return _reservation(row)

    async def search(
        self,
        station_id: str | None = None,
        status: ReservationStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Reservation]:
        stmt = select(reservations)
        if station_id is not None:
            stmt = stmt.where(_r.station_id == station_id)
        if status is not None:
            stmt = stmt.where(_r.status == ReservationStatus(status).value)
        stmt = stmt.order_by(_r.id.desc()).limit(limit).offset(offset)
        async with self._engine.connect() as conn:
            return [_reservation(row) for row in await conn.execute(stmt)]

    async def expire_due(self, now: datetime) -> list[Reservation]:
        # One UPDATE ... RETURNING: two nodes expiring at once each get a disjoint set.
        stmt = (
            update(reservations)
            .where(_r.status.in_([s.value for s in DUE_TO_EXPIRE]), _r.expiry_date <= now)
            .values(status=ReservationStatus.EXPIRED.value)
            .returning(*reservations.c)
        )
        async with write_transaction(self._engine) as conn:
            expired = [_reservation(row) for row in await conn.execute(stmt)]
        expired.sort(key=lambda reservation: reservation.id)
        return expired


def _last_per_key(rows: Sequence[dict[str, Any]], *key: str) -> list[dict[str, Any]]:
    """One row per key, the last given winning (a batch upsert may not touch a row twice)."""
    return list({tuple(row[name] for name in key): row for row in rows}.values())


_CERTIFICATE_KEY = ("station_id", "serial_number", "issuer_key_hash")
_CERTIFICATE_FIELDS = [c.name for c in installed_certificates.c if c.name != "id"]
_ENTRY_FIELDS = ["id_tag", "status", "expiry_date", "parent_id_tag"]


def _certificate_row(certificate: InstalledCertificate) -> dict[str, Any]:
    return {name: getattr(certificate, name) for name in _CERTIFICATE_FIELDS}


def _certificate(row: Row[Any]) -> InstalledCertificate:
    return InstalledCertificate(**{name: row._mapping[name] for name in _CERTIFICATE_FIELDS})


class SqlStationStateStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def put_configuration(self, entries: Sequence[ConfigurationEntry]) -> None:
        if not entries:
            return
        rows = _last_per_key(
            [
                {
                    "station_id": e.station_id,
                    "key": e.key,
                    "value": e.value,
                    "readonly": e.readonly,
                    "updated_at": e.updated_at,
                }
                for e in entries
            ],
            "station_id",
            "key",
        )
        insert = upsert_insert(self._engine, station_configuration)
        stmt = insert.on_conflict_do_update(
            index_elements=[station_configuration.c.station_id, station_configuration.c.key],
            set_={
                "value": insert.excluded.value,
                "readonly": insert.excluded.readonly,
                "updated_at": insert.excluded.updated_at,
            },
        )
        async with write_transaction(self._engine) as conn:
            await conn.execute(stmt, rows)

    async def configuration(self, station_id: str) -> list[ConfigurationEntry]:
        c = station_configuration.c
        stmt = select(station_configuration).where(c.station_id == station_id).order_by(c.key)
        async with self._engine.connect() as conn:
            return [ConfigurationEntry(**row._mapping) for row in await conn.execute(stmt)]

    async def put_availability(self, availability: ConnectorAvailability) -> None:
        c = connector_availability.c
        insert = upsert_insert(self._engine, connector_availability)
        stmt = insert.values(
            station_id=availability.station_id,
            connector_id=availability.connector_id,
            availability=availability.availability,
            updated_at=availability.updated_at,
        ).on_conflict_do_update(
            index_elements=[c.station_id, c.connector_id],
            set_={
                "availability": insert.excluded.availability,
                "updated_at": insert.excluded.updated_at,
            },
        )
        async with write_transaction(self._engine) as conn:
            await conn.execute(stmt)

    async def availability(self, station_id: str) -> list[ConnectorAvailability]:
        c = connector_availability.c
        stmt = (
            select(connector_availability)
            .where(c.station_id == station_id)
            .order_by(c.connector_id)
        )
        async with self._engine.connect() as conn:
            return [ConnectorAvailability(**row._mapping) for row in await conn.execute(stmt)]

    async def replace_certificates(
        self, station_id: str, certificate_type: str, certificates: Sequence[InstalledCertificate]
    ) -> None:
        checked_certificates(station_id, certificate_type, certificates)
        c = installed_certificates.c
        rows = _last_per_key([_certificate_row(cert) for cert in certificates], *_CERTIFICATE_KEY)
        async with write_transaction(self._engine) as conn:
            await conn.execute(
                delete(installed_certificates).where(
                    c.station_id == station_id, c.certificate_type == certificate_type
                )
            )
            if rows:
                await conn.execute(self._upsert_certificate(), rows)

    async def add_certificate(self, certificate: InstalledCertificate) -> None:
        async with write_transaction(self._engine) as conn:
            await conn.execute(self._upsert_certificate(), [_certificate_row(certificate)])

    async def remove_certificate(
        self, station_id: str, serial_number: str, issuer_key_hash: str
    ) -> bool:
        c = installed_certificates.c
        stmt = delete(installed_certificates).where(
            c.station_id == station_id,
            c.serial_number == serial_number,
            c.issuer_key_hash == issuer_key_hash,
        )
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(stmt)
        return result.rowcount > 0

    async def certificates(self, station_id: str) -> list[InstalledCertificate]:
        c = installed_certificates.c
        stmt = (
            select(installed_certificates)
            .where(c.station_id == station_id)
            .order_by(c.certificate_type, c.serial_number, c.issuer_key_hash)
        )
        async with self._engine.connect() as conn:
            return [_certificate(row) for row in await conn.execute(stmt)]

    async def put_local_list(self, local_list: LocalList) -> None:
        entries = kept_local_list_entries(local_list.entries)
        lists = local_lists.c
        insert = upsert_insert(self._engine, local_lists)
        put_list = insert.values(
            station_id=local_list.station_id,
            version=local_list.version,
            updated_at=local_list.updated_at,
        ).on_conflict_do_update(
            index_elements=[lists.station_id],
            set_={"version": insert.excluded.version, "updated_at": insert.excluded.updated_at},
        )
        rows = [
            {"station_id": local_list.station_id, **{n: getattr(e, n) for n in _ENTRY_FIELDS}}
            for e in entries
        ]
        table = local_list_entries
        async with write_transaction(self._engine) as conn:
            await conn.execute(put_list)
            await conn.execute(delete(table).where(table.c.station_id == local_list.station_id))
            if rows:
                await conn.execute(table.insert(), rows)

    async def local_list(self, station_id: str) -> LocalList | None:
        # One statement, so the version and the entries come from the same snapshot.
        table, lists = local_list_entries, local_lists.c
        stmt = (
            select(lists.version, lists.updated_at, *(table.c[n] for n in _ENTRY_FIELDS))
            .select_from(local_lists.outerjoin(table, table.c.station_id == lists.station_id))
            .where(lists.station_id == station_id)
            .order_by(table.c.id_tag)
        )
        async with self._engine.connect() as conn:
            rows = list(await conn.execute(stmt))
        if not rows:
            return None
        entries = tuple(
            LocalListEntry(**{n: row._mapping[n] for n in _ENTRY_FIELDS})
            for row in rows
            if row.id_tag is not None
        )
        return LocalList(station_id, rows[0].version, entries, rows[0].updated_at)

    def _upsert_certificate(self) -> UpsertInsert:
        c = installed_certificates.c
        insert = upsert_insert(self._engine, installed_certificates)
        return insert.on_conflict_do_update(
            index_elements=[c.station_id, c.serial_number, c.issuer_key_hash],
            set_={
                name: insert.excluded[name]
                for name in _CERTIFICATE_FIELDS
                if name not in _CERTIFICATE_KEY
            },
        )

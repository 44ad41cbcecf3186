"""SQL stores for tariffs, tariff assignments, drivers and the wallet ledger.

Each method runs in its own database transaction. Writes that must not happen twice are
guarded by a unique constraint: a new tariff version is one ``INSERT ... SELECT
max(version) + 1`` behind a lock on the tariff's row, and a ledger entry with an
idempotency key is ``INSERT ... ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, delete, false, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.domain.billing import (
    AssignmentScope,
    Driver,
    EntryKind,
    LedgerEntry,
    NewLedgerEntry,
    Tariff,
    TariffAssignment,
    TariffSpec,
    TariffVersion,
    from_minor,
    to_minor,
)
from csms.storage.billing import DriverExists
from csms.storage.memory_billing import current_version
from csms.storage.sql._common import upsert_insert, write_transaction
from csms.storage.sql.billing_codec import spec_from_json, spec_to_json
from csms.storage.sql.billing_tables import (
    drivers,
    ledger_entries,
    station_group_members,
    tariff_assignments,
    tariff_versions,
    tariffs,
)
from csms.storage.sql.tables import UtcDateTime

_t, _v, _a, _g = tariffs.c, tariff_versions.c, tariff_assignments.c, station_group_members.c
_d, _l = drivers.c, ledger_entries.c


def _version(row: Row[Any]) -> TariffVersion:
    m = row._mapping
    return TariffVersion(m["id"], m["tariff_id"], m["version"], spec_from_json(m["spec"]), m["created_at"])


class SqlTariffStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, name: str, spec: TariffSpec, at: datetime) -> TariffVersion:
        stmt = insert(tariffs).values(name=name, archived=False, created_at=at).returning(_t.id)
        async with write_transaction(self._engine) as conn:
            tariff_id = (await conn.execute(stmt)).scalar_one()
        return await self.add_version(tariff_id, spec, at)

    async def get(self, tariff_id: int) -> Tariff | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tariffs).where(_t.id == tariff_id))).first()
        return None if row is None else Tariff(**row._mapping)

    async def all(self, include_archived: bool = False) -> list[Tariff]:
        stmt = select(tariffs).order_by(_t.id)
        if not include_archived:
            stmt = stmt.where(_t.archived == false())
        async with self._engine.connect() as conn:
            return [Tariff(**row._mapping) for row in await conn.execute(stmt)]

    async def rename(self, tariff_id: int, name: str) -> Tariff:
        stmt = update(tariffs).where(_t.id == tariff_id).values(name=name).returning(*tariffs.c)
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise KeyError(tariff_id)
        return Tariff(**row._mapping)

    async def archive(self, tariff_id: int) -> bool:
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(
                update(tariffs).where(_t.id == tariff_id).values(archived=True)
            )
        return result.rowcount > 0

    async def add_version(self, tariff_id: int, spec: TariffSpec, at: datetime) -> TariffVersion:
        newest = (
            select(func.coalesce(func.max(_v.version), 0))
            .where(_v.tariff_id == tariff_id)
            .scalar_subquery()
        )
        source = select(
            _t.id, newest + 1, literal(spec_to_json(spec)), literal(at, UtcDateTime())
        ).where(_t.id == tariff_id)
        stmt = (
            insert(tariff_versions)
            .from_select(["tariff_id", "version", "spec", "created_at"], source)
            .returning(*tariff_versions.c)
        )
        lock = select(_t.id).where(_t.id == tariff_id).with_for_update()
        async with write_transaction(self._engine) as conn:
            # PostgreSQL: concurrent edits of one tariff queue on its row, so each sees the
            # version the previous one committed. SQLite: the INSERT ... SELECT takes the
            # database's write lock (the SELECT before it starts no transaction).
            if (await conn.execute(lock)).first() is None:
                raise KeyError(tariff_id)
            row = (await conn.execute(stmt)).one()
        return _version(row)

    async def version(self, version_id: int) -> TariffVersion | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tariff_versions).where(_v.id == version_id))).first()
        return None if row is None else _version(row)

    async def versions(self, tariff_id: int) -> list[TariffVersion]:
        stmt = select(tariff_versions).where(_v.tariff_id == tariff_id).order_by(_v.version)
        async with self._engine.connect() as conn:
            return [_version(row) for row in await conn.execute(stmt)]

    async def current(self, tariff_id: int, at: datetime | None = None) -> TariffVersion | None:
        return current_version(await self.versions(tariff_id), at)


def _assignment(row: Row[Any]) -> TariffAssignment:
    m = row._mapping
    return TariffAssignment(AssignmentScope(m["scope"]), m["key"], m["tariff_id"], m["updated_at"])


class SqlTariffAssignmentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def assign(self, assignment: TariffAssignment) -> None:
        insert_ = upsert_insert(self._engine, tariff_assignments)
        stmt = insert_.values(
            scope=AssignmentScope(assignment.scope).value,
            key=assignment.key,
            tariff_id=assignment.tariff_id,
            updated_at=assignment.updated_at,
        ).on_conflict_do_update(
            index_elements=[_a.scope, _a.key],
            set_={"tariff_id": insert_.excluded.tariff_id, "updated_at": insert_.excluded.updated_at},
        )
        async with write_transaction(self._engine) as conn:
            await conn.execute(stmt)

    async def unassign(self, scope: AssignmentScope, key: str) -> bool:
        stmt = delete(tariff_assignments).where(
            _a.scope == AssignmentScope(scope).value, _a.key == key
        )
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(stmt)
        return result.rowcount > 0

    async def all(self) -> list[TariffAssignment]:
        stmt = select(tariff_assignments).order_by(_a.scope, _a.key)
        async with self._engine.connect() as conn:
            return [_assignment(row) for row in await conn.execute(stmt)]

    async def find(self, keys: Sequence[tuple[AssignmentScope, str]]) -> list[TariffAssignment]:
        if not keys:
            return []
        wanted = or_(
            *(and_(_a.scope == AssignmentScope(scope).value, _a.key == key) for scope, key in keys)
        )
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(tariff_assignments).where(wanted))
            return [_assignment(row) for row in rows]

    async def add_to_group(self, group: str, station_id: str) -> None:
        stmt = (
            upsert_insert(self._engine, station_group_members)
            .values(group_name=group, station_id=station_id)
            .on_conflict_do_nothing(index_elements=[_g.group_name, _g.station_id])
        )
        async with write_transaction(self._engine) as conn:
            await conn.execute(stmt)

    async def remove_from_group(self, group: str, station_id: str) -> bool:
        stmt = delete(station_group_members).where(
            _g.group_name == group, _g.station_id == station_id
        )
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(stmt)
        return result.rowcount > 0

    async def groups_of(self, station_id: str) -> list[str]:
        stmt = select(_g.group_name).where(_g.station_id == station_id).order_by(_g.group_name)
        async with self._engine.connect() as conn:
            return list((await conn.execute(stmt)).scalars())

    async def groups(self) -> dict[str, list[str]]:
        stmt = select(station_group_members).order_by(_g.group_name, _g.station_id)
        found: dict[str, list[str]] = {}
        async with self._engine.connect() as conn:
            for row in await conn.execute(stmt):
                found.setdefault(row.group_name, []).append(row.station_id)
        return found


def _driver(row: Row[Any]) -> Driver:
    m = row._mapping
    limit = m["session_limit_minor"]
    return Driver(
        id=m["id"],
        currency=m["currency"],
        created_at=m["created_at"],
        name=m["name"],
        email=m["email"],
        group=m["group_name"],
        session_limit=None if limit is None else from_minor(limit, m["currency"]),
    )


def _limit_minor(driver: Driver) -> int | None:
    limit = driver.session_limit
    return None if limit is None else to_minor(limit, driver.currency)


class SqlDriverStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, driver: Driver) -> Driver:
        values = {
            "id": driver.id,
            "currency": driver.currency,
            "created_at": driver.created_at,
            "name": driver.name,
            "email": driver.email,
            "group_name": driver.group,
            "session_limit_minor": _limit_minor(driver),
        }
        stmt = (
            upsert_insert(self._engine, drivers)
            .values(values)
            .on_conflict_do_nothing(index_elements=[_d.id])
            .returning(*drivers.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise DriverExists(driver.id)
        return _driver(row)

    async def get(self, driver_id: str) -> Driver | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(drivers).where(_d.id == driver_id))).first()
        return None if row is None else _driver(row)

    async def all(self, limit: int = 100, offset: int = 0) -> list[Driver]:
        stmt = select(drivers).order_by(_d.id).limit(limit).offset(offset)
        async with self._engine.connect() as conn:
            return [_driver(row) for row in await conn.execute(stmt)]

    async def update(self, driver: Driver) -> Driver:
        stored = await self.get(driver.id)
        if stored is None:
            raise KeyError(driver.id)
        limit = None if driver.session_limit is None else to_minor(driver.session_limit, stored.currency)
        values = {
            "name": driver.name,
            "email": driver.email,
            "group_name": driver.group,
            "session_limit_minor": limit,
        }
        stmt = update(drivers).where(_d.id == driver.id).values(values).returning(*drivers.c)
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise KeyError(driver.id)
        return _driver(row)


def _entry(row: Row[Any]) -> LedgerEntry:
    m = dict(row._mapping)
    m["kind"] = EntryKind(m["kind"])
    m["amount"] = from_minor(m.pop("amount_minor"), m["currency"])
    return LedgerEntry(**m)


class SqlLedgerStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def append(self, entry: NewLedgerEntry) -> tuple[LedgerEntry, bool]:
        values = {
            "driver_id": entry.driver_id,
            "kind": EntryKind(entry.kind).value,
            "amount_minor": to_minor(entry.amount, entry.currency),
            "currency": entry.currency,
            "created_at": entry.created_at,
            "idempotency_key": entry.idempotency_key,
            "order_id": entry.order_id,
            "reference": entry.reference,
            "note": entry.note,
        }
        stmt = upsert_insert(self._engine, ledger_entries).values(values)
        if entry.idempotency_key is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=[_l.idempotency_key])
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt.returning(*ledger_entries.c))).first()
            if row is not None:
                return _entry(row), True
            found = select(ledger_entries).where(_l.idempotency_key == entry.idempotency_key)
            existing = (await conn.execute(found)).one()
        return _entry(existing), False

    async def balance(self, driver_id: str, currency: str) -> Decimal:
        stmt = select(func.coalesce(func.sum(_l.amount_minor), 0)).where(
            _l.driver_id == driver_id, _l.currency == currency
        )
        async with self._engine.connect() as conn:
            total = (await conn.execute(stmt)).scalar_one()
        return from_minor(int(total), currency)

    async def entries(self, driver_id: str, limit: int = 100, offset: int = 0) -> list[LedgerEntry]:
        stmt = (
            select(ledger_entries)
            .where(_l.driver_id == driver_id)
            .order_by(_l.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self._engine.connect() as conn:
            return [_entry(row) for row in await conn.execute(stmt)]

    async def by_key(self, idempotency_key: str) -> LedgerEntry | None:
        stmt = select(ledger_entries).where(_l.idempotency_key == idempotency_key)
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        return None if row is None else _entry(row)

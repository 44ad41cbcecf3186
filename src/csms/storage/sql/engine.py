"""Engines, the SQL ``Stores`` bundle and schema migrations.

Typical start-up::

    await upgrade(url)                  # migrate to head (fresh or up-to-date database)
    engine = create_engine(url)
    stores = sql_stores(engine)
    ...
    await engine.dispose()

SQLite (``sqlite+aiosqlite:///path/csms.db``) is the embedded default; PostgreSQL
(``postgresql+asyncpg://user@host/db``) for shared deployments. Plain ``sqlite://`` and
``postgresql://`` URLs get the async driver.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, event, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from csms.storage.interfaces import Stores
from csms.storage.sql._common import Clock, utc_now
from csms.storage.sql.billing import (  # also puts the billing tables on metadata
    SqlDriverStore,
    SqlLedgerStore,
    SqlTariffAssignmentStore,
    SqlTariffStore,
)
from csms.storage.sql.billing_orders import SqlOrderStore
from csms.storage.sql.operations import (
    SqlApiKeyStore,
    SqlReservationStore,
    SqlStationStateStore,
)
from csms.storage.sql.stores import (
    SqlIdTagStore,
    SqlMessageLogStore,
    SqlMeterValueStore,
    SqlStationStore,
    SqlStatusStore,
)
from csms.storage.sql.transactions import SqlTransactionStore

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_MIGRATION_LOCK = 0x63736D73  # "csms": the advisory lock id that serialises upgrade()
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def create_engine(
    url: str, *, schema: str | None = None, background_checkpoints: bool = False
) -> AsyncEngine:
    """An async engine for a SQLite or PostgreSQL URL.

    SQLite connections run in WAL mode with ``synchronous=NORMAL``, foreign keys on and a
    busy timeout; the database file's directory is created if missing. With
    ``background_checkpoints`` (SQLite; the server) automatic WAL checkpoints are off and
    the owner must run :func:`csms.storage.sql.checkpoint.checkpoint_periodically`.
    ``schema`` (PostgreSQL only) sets the ``search_path`` of every connection, so csms
    can live in its own schema.
    """
    parsed = _async_url(url)
    if parsed.get_backend_name() == "sqlite":
        if schema is not None:
            raise ValueError("schema is a PostgreSQL option; SQLite has none")
        _create_parent_dir(parsed)
        engine = create_async_engine(parsed)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if background_checkpoints:
            event.listen(engine.sync_engine, "connect", _no_automatic_checkpoints)
        return engine
    connect_args: dict[str, Any] = {}
    if schema is not None:
        connect_args["server_settings"] = {"search_path": _checked_schema(schema)}
    return create_async_engine(parsed, connect_args=connect_args)


def sql_stores(engine: AsyncEngine, clock: Clock = utc_now) -> Stores:
    """Every store over one engine; ``clock`` stamps ``Station.created_at`` when unset."""
    return Stores(
        stations=SqlStationStore(engine, clock),
        id_tags=SqlIdTagStore(engine),
        transactions=SqlTransactionStore(engine),
        meter_values=SqlMeterValueStore(engine),
        statuses=SqlStatusStore(engine),
        messages=SqlMessageLogStore(engine),
        api_keys=SqlApiKeyStore(engine),
        reservations=SqlReservationStore(engine),
        station_state=SqlStationStateStore(engine),
        tariffs=SqlTariffStore(engine),
        tariff_assignments=SqlTariffAssignmentStore(engine),
        drivers=SqlDriverStore(engine),
        ledger=SqlLedgerStore(engine),
        orders=SqlOrderStore(engine),
    )


async def upgrade(url: str, *, schema: str | None = None) -> None:
    """Migrate the database at ``url`` to the newest revision (a no-op when up to date).

    With ``schema`` (PostgreSQL), the schema is created if missing and migrated. On
    PostgreSQL, nodes starting together migrate one after the other (an advisory lock).
    """
    engine = create_engine(url, schema=schema)
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
            if schema is not None:
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await conn.run_sync(_upgrade_to_head)
    finally:
        await engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the packaged migrations, bound to ``connection`` if given."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def _async_url(url: str) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    if parsed.drivername == backend:
        parsed = parsed.set(drivername=_DRIVERS[backend])
    return parsed


def _create_parent_dir(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _checked_schema(schema: str) -> str:
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"invalid schema name {schema!r}: letters, digits and _ only")
    return schema


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _no_automatic_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    finally:
        cursor.close()

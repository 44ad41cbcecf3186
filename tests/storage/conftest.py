"""Backends for the storage contract suite: memory, SQLite (a migrated temp file) and PostgreSQL.

SQLite: one database is migrated per session and copied for each test. PostgreSQL (at
``CSMS_TEST_POSTGRES_URL``): one schema ``csms_test_<random>`` per session, migrated once,
emptied before each test and dropped at the end; the tests skip when the server is not
reachable.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from csms.storage import Stores
from csms.storage.memory import memory_stores
from csms.storage.sql import create_engine, sql_stores, upgrade
from csms.storage.sql.tables import metadata

POSTGRES_URL = os.environ.get(
    "CSMS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
_T = TypeVar("_T")


@dataclass(frozen=True)
class Database:
    """Where a SQL backend under test lives."""

    url: str
    schema: str | None = None


def run_outside_the_test_loop(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion on its own loop, in a thread (for sync fixtures)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _probe_postgres() -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


async def _drop_schema(schema: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "csms.db"
    run_outside_the_test_loop(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Database]:
    try:
        run_outside_the_test_loop(_probe_postgres())
    except Exception as exc:  # any failure to connect means "no server for these tests"
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc!r}"
        if os.environ.get("CSMS_REQUIRE_POSTGRES") == "1":  # CI: .ci/run starts it
            pytest.fail(reason)
        pytest.skip(reason)
    database = Database(POSTGRES_URL, schema=f"csms_test_{secrets.token_hex(4)}")
    run_outside_the_test_loop(upgrade(database.url, schema=database.schema))
    try:
        yield database
    finally:
        assert database.schema is not None
        run_outside_the_test_loop(_drop_schema(database.schema))


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database | None:
    """The backend of one test: None for memory, else a SQL database migrated to head."""
    if request.param == "memory":
        return None
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "csms.db"
        shutil.copyfile(template, path)
        return Database(f"sqlite+aiosqlite:///{path}")
    postgres: Database = request.getfixturevalue("postgres_database")
    return postgres


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """(url, schema) of a SQL database: a fresh SQLite file, or the session's PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}", None
    postgres: Database = request.getfixturevalue("postgres_database")
    return postgres.url, postgres.schema


@pytest.fixture
async def unmigrated_postgres_schema(postgres_database: Database) -> AsyncIterator[tuple[str, str]]:
    """(url, schema) of a PostgreSQL schema that does not exist yet; dropped afterwards."""
    schema = f"{postgres_database.schema}_fresh"
    try:
        yield postgres_database.url, schema
    finally:
        await _drop_schema(schema)


@pytest.fixture
async def stores(database: Database | None) -> AsyncIterator[Stores]:
    if database is None:
        yield memory_stores()
        return
    engine = create_engine(database.url, schema=database.schema)
    try:
        if database.schema is not None:  # the PostgreSQL schema is shared by the session
            tables = ", ".join(table.name for table in metadata.sorted_tables)
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
        yield sql_stores(engine)
    finally:
        await engine.dispose()

"""csms's database for a benchmark run: registered stations, accepted id tags and the
operator API key of scenario 4, on
SQLite (a fresh copy of a template file per run) or PostgreSQL (a dedicated schema,
``csms_bench``, owned by a role of the same name so that the role's default
``search_path`` lands there; dropped and re-created per run). After a run, the rows
that must be there are counted."""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url, text

from bench.http_commands import API_KEY, COMMAND_TAG
from bench.loadgen import ID_TAG
from csms.domain.operations import Role
from csms.services.accounts import hash_secret
from csms.storage.sql import create_engine, sql_stores, upgrade
from csms.storage.sql.tables import id_tags, stations

PG_ADMIN_URL = os.environ.get(
    "CSMS_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
PG_ROLE = "csms_bench"  # also the schema's name


def station_ids(count: int, prefix: str = "BENCH") -> list[str]:
    return [f"{prefix}{i:05d}" for i in range(count)]


async def _seed(url: str, count: int) -> None:
    await upgrade(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    rows = [
        {"id": sid, "registration_status": "Accepted", "lenient": False, "created_at": now}
        for sid in station_ids(count)
    ]
    try:
        async with engine.begin() as conn:
            await conn.execute(stations.insert(), rows)
            await conn.execute(
                id_tags.insert(),
                [{"id_tag": tag, "status": "Accepted"} for tag in (ID_TAG, COMMAND_TAG)],
            )
        await sql_stores(engine).api_keys.add(
            "bench scenario 4", Role.OPERATOR, hash_secret(API_KEY), now, None
        )
    finally:
        await engine.dispose()


def sqlite_template(directory: Path, count: int) -> Path:
    """A migrated SQLite file with ``count`` stations (made once per directory)."""
    path = directory / f"template-v2-{count}.db"  # v2: with the API key and command tag
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        asyncio.run(_seed(f"sqlite+aiosqlite:///{partial}", count))
        partial.rename(path)
    return path


def fresh_sqlite(template: Path, run_dir: Path) -> str:
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / "csms.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


def postgres_available() -> bool:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except Exception:
        return False
    return True


async def _pg_admin(*statements: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    url = make_url(PG_ADMIN_URL)
    conn = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host, port=url.port or 5432,
        database=url.database, timeout=5,
    )
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def fresh_postgres(count: int) -> str:
    """Drop and re-create the ``csms_bench`` schema, migrate and seed it; returns csms's URL."""
    asyncio.run(
        _pg_admin(
            f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PG_ROLE}') "
            f"THEN CREATE ROLE {PG_ROLE} LOGIN; END IF; END$$",
            f"DROP SCHEMA IF EXISTS {PG_ROLE} CASCADE",
            f"CREATE SCHEMA {PG_ROLE} AUTHORIZATION {PG_ROLE}",
        )
    )
    admin = make_url(PG_ADMIN_URL)
    url = admin.set(username=PG_ROLE, password=None).render_as_string(hide_password=False)
    asyncio.run(_seed(url, count))
    return url


COUNTS = {
    "meter_values": "SELECT count(*) FROM meter_values",
    "status_events": "SELECT count(*) FROM status_events",
    "transactions": "SELECT count(*) FROM transactions",
    "message_log": "SELECT count(*) FROM message_log",
    "stations_booted": "SELECT count(*) FROM stations WHERE last_boot_at IS NOT NULL",
}


def count_rows(url: str) -> dict[str, int]:
    """Rows in the tables the scenarios write (run after the server has stopped)."""

    async def count() -> dict[str, int]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return {k: int((await conn.execute(text(q))).scalar_one()) for k, q in COUNTS.items()}
        finally:
            await engine.dispose()

    return asyncio.run(count())

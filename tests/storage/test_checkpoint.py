"""Background WAL checkpoints (``csms.storage.sql.checkpoint``): the server's SQLite engine
does not checkpoint inside its write transactions; a task of its own does."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from csms.storage.sql import create_engine
from csms.storage.sql._common import write_transaction
from csms.storage.sql.checkpoint import checkpoint, checkpoint_periodically


def _rows_in_database_file(path: Path) -> int:
    """Rows of ``t`` in the main database file alone (``immutable`` ignores the WAL)."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM t").fetchone()[0])
        except sqlite3.OperationalError:  # the table itself is still only in the WAL
            return 0


async def _autocheckpoint(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one())


async def _write_rows(engine: AsyncEngine, count: int) -> None:
    async with write_transaction(engine) as conn:
        await conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    for n in range(count):
        async with write_transaction(engine) as conn:
            await conn.exec_driver_sql(f"INSERT INTO t VALUES ({n})")


async def test_only_the_server_engine_turns_automatic_checkpoints_off(tmp_path: Path) -> None:
    server = create_engine(f"sqlite:///{tmp_path / 'a.db'}", background_checkpoints=True)
    tool = create_engine(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        assert await _autocheckpoint(server) == 0
        assert await _autocheckpoint(tool) == 1000
    finally:
        await server.dispose()
        await tool.dispose()


async def test_committed_rows_reach_the_database_file_only_by_the_checkpoint(
    tmp_path: Path,
) -> None:
    path = tmp_path / "csms.db"
    engine = create_engine(f"sqlite:///{path}", background_checkpoints=True)
    try:
        await _write_rows(engine, 20)
        assert _rows_in_database_file(path) == 0  # committed, but in the WAL

        busy, frames, done = await checkpoint(engine)

        assert frames > 0
        assert (busy, done) == (0, frames)
        assert _rows_in_database_file(path) == 20
    finally:
        await engine.dispose()


async def test_the_periodic_task_checkpoints_while_writes_go_on(tmp_path: Path) -> None:
    path = tmp_path / "csms.db"
    engine = create_engine(f"sqlite:///{path}", background_checkpoints=True)
    task = asyncio.create_task(checkpoint_periodically(engine, every=0.01))
    try:
        await _write_rows(engine, 50)
        async with asyncio.timeout(5):
            while _rows_in_database_file(path) < 50:  # noqa: ASYNC110 - polls a file
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await engine.dispose()
    assert _rows_in_database_file(path) == 50

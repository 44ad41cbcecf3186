"""Background WAL checkpoints for SQLite, off the write path.

In WAL mode with ``synchronous=NORMAL`` a commit only appends to the WAL file; the
expensive part is the *checkpoint*, which copies the WAL back into the database file and
syncs it (0.1-0.3 s on a shared virtual disk). By default SQLite runs it automatically
inside whichever write transaction crosses 1 000 WAL pages, and csms's write-behind then
holds every station's answer until that sync is done (docs/benchmarks.md: the remaining
stalls). A server started with ``create_engine(url, background_checkpoints=True)`` turns
automatic checkpoints off and runs :func:`checkpoint_periodically` instead: a PASSIVE
checkpoint on a pooled connection of its own, without the write lock, so the group
commit goes on while the file is synced. Durability is unchanged: a committed
transaction is in the WAL either way, and the WAL is replayed after a crash.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

_log = structlog.get_logger(__name__)


async def checkpoint(engine: AsyncEngine) -> tuple[int, int, int]:
    """One PASSIVE checkpoint: (busy, WAL frames, frames checkpointed), as SQLite says."""
    async with engine.connect() as conn:
        result = await conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        row: tuple[object, ...] = tuple(result.one())
    busy, frames, done = (int(str(value)) for value in row)
    return busy, frames, done


async def checkpoint_periodically(engine: AsyncEngine, every: float = 1.0) -> None:
    """Checkpoint every ``every`` seconds until cancelled (SQLite engines only)."""
    while True:
        await asyncio.sleep(every)
        try:
            await checkpoint(engine)
        except Exception as error:  # a failed checkpoint loses nothing: the WAL keeps it
            _log.error("sqlite.checkpoint_failed", error=repr(error))

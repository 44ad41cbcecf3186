"""Helpers shared by the SQL stores: the dialect's INSERT (for ON CONFLICT), the clock, and
the one way every store opens a write transaction (:func:`write_transaction`)."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

Clock = Callable[[], datetime]
UpsertInsert = sqlite.Insert | postgresql.Insert


def utc_now() -> datetime:
    return datetime.now(UTC)


def upsert_insert(engine: AsyncEngine, table: Table) -> UpsertInsert:
    """An INSERT that supports ``on_conflict_do_nothing/do_update`` on this engine's dialect."""
    name = engine.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise ValueError(f"unsupported database dialect {name!r}")


class NestedWriteTransaction(RuntimeError):
    """A write transaction was opened inside another one on the same SQLite engine.

    The inner one would wait forever for the lock the outer one holds; failing loudly
    turns that deadlock into a bug report.
    """


# One lock per SQLite engine and event loop (an asyncio.Lock belongs to one loop; tests
# and the CLI may use an engine from more than one). Weak keys: a disposed, dropped
# engine takes its lock with it.
_write_locks: weakref.WeakKeyDictionary[
    Engine, tuple[asyncio.AbstractEventLoop, asyncio.Lock]
] = weakref.WeakKeyDictionary()
# The write locks the current task holds, to refuse nesting instead of deadlocking.
_held: ContextVar[frozenset[int]] = ContextVar("csms_sql_write_locks_held", default=frozenset())


def _write_lock(engine: AsyncEngine) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    known = _write_locks.get(engine.sync_engine)
    if known is not None and known[0] is loop:
        return known[1]
    lock = asyncio.Lock()
    _write_locks[engine.sync_engine] = (loop, lock)
    return lock


@asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """``engine.begin()`` for writes: on SQLite, one write transaction at a time per engine.

    SQLite has a single writer. When two pooled connections of this process write at
    once, the second one is refused the file lock and SQLite's busy handler *sleeps*
    (1, 2, 5, … 100 ms steps) before retrying, and every station waiting on the
    write-behind's group commit waits with it: that is where p99s of seconds came from
    (docs/benchmarks.md). Queueing the writers on an asyncio.Lock instead hands the file
    lock over as soon as the previous transaction commits, and waiting writers hold no
    pooled connection. Writers in other processes (the CLI) still meet the busy handler.

    Reads stay on ``engine.connect()``: in WAL mode they neither block nor wait for the
    writer. On PostgreSQL this is plain ``engine.begin()``: it has row locks and many
    writers. Never open a write transaction inside another one on the same engine (that
    raises :class:`NestedWriteTransaction` rather than deadlocking).
    """
    if engine.dialect.name != "sqlite":
        async with engine.begin() as conn:
            yield conn
        return
    lock = _write_lock(engine)
    held = _held.get()
    if id(lock) in held:
        raise NestedWriteTransaction("a write transaction is already open on this engine")
    async with lock:
        token = _held.set(held | {id(lock)})
        try:
            async with engine.begin() as conn:
                yield conn
        finally:
            _held.reset(token)

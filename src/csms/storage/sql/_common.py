"""Helpers shared by the SQL stores: the dialect's INSERT (for ON CONFLICT) and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

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

"""Many rows in one statement, straight through the driver's ``executemany``.

The hot tables (meter values, the message log, last-seen times) take thousands of rows a
second. Passing dicts through SQLAlchemy's per-row bind processing cost about a quarter
of the server's CPU under load (docs/benchmarks.md); here the statement is compiled once
per dialect and each row becomes a plain tuple, with datetimes rendered the way the
``UtcDateTime`` column type stores them (SQLite: naive UTC text in SQLAlchemy's format;
PostgreSQL: aware datetimes for ``timestamptz``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from csms.storage.sql.tables import UtcDateTime

Convert = Callable[[Any], Any]


def _sqlite_utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: csms stores timezone-aware UTC only")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's format


def _aware_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: csms stores timezone-aware UTC only")
    return value


def _same(value: Any) -> Any:
    return value


class BulkStatement:
    """One compiled statement with named parameters, executed for many rows."""

    def __init__(
        self, statement: ClauseElement, datetimes: frozenset[str], dialect: Dialect
    ) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self._sql = compiled.string
        self._names: list[str] = list(compiled.positiontup or [])
        if not compiled.positional:  # every dialect csms supports is positional
            raise ValueError(f"{dialect.name}: a positional paramstyle is expected")
        to_datetime = _sqlite_utc if dialect.name == "sqlite" else _aware_utc
        self._converters: list[Convert] = [
            to_datetime if name in datetimes else _same for name in self._names
        ]

    @property
    def names(self) -> tuple[str, ...]:
        """The parameter names in the order the driver takes them (``run_tuples``'s order)."""
        return tuple(self._names)

    async def run(self, conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        """Execute for every row (a dict of parameter name -> value)."""
        pairs = list(zip(self._names, self._converters, strict=True))
        tuples = [tuple(convert(row[name]) for name, convert in pairs) for row in rows]
        await conn.exec_driver_sql(self._sql, tuples)

    async def run_tuples(self, conn: AsyncConnection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Execute for every row, each a tuple of values in :attr:`names` order (no dict
        per row: the hottest callers build the tuples directly)."""
        converters = self._converters
        if all(convert is _same for convert in converters):
            tuples: Sequence[tuple[Any, ...]] = rows
        else:
            tuples = [
                tuple(convert(value) for convert, value in zip(converters, row, strict=True))
                for row in rows
            ]
        await conn.exec_driver_sql(self._sql, tuples)


def bulk_insert(table: Table, dialect: Dialect, columns: Sequence[str]) -> BulkStatement:
    """INSERT INTO table (columns) VALUES (...), parameters named like the columns."""
    statement = table.insert().values({name: bindparam(name) for name in columns})
    datetimes = frozenset(n for n in columns if isinstance(table.c[n].type, UtcDateTime))
    return BulkStatement(statement, datetimes, dialect)


def bulk_update(
    table: Table, dialect: Dialect, key: str, columns: Sequence[str]
) -> BulkStatement:
    """UPDATE table SET columns WHERE key = ..., for many rows.

    Parameters are named ``b_<column>`` (SQLAlchemy reserves the bare column names of a
    SET clause); :attr:`BulkStatement.names` gives their order.
    """
    statement = (
        table.update()
        .where(table.c[key] == bindparam(f"b_{key}"))
        .values({name: bindparam(f"b_{name}") for name in columns})
    )
    datetimes = frozenset(
        f"b_{n}" for n in (key, *columns) if isinstance(table.c[n].type, UtcDateTime)
    )
    return BulkStatement(statement, datetimes, dialect)

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


def _memoized(convert: Convert) -> Convert:
    """``convert`` with a cache for one batch: the samples of one MeterValues share their
    timestamp and received_at, so most datetimes of a batch repeat (a dict lookup instead
    of ``strftime``: meter-value rows 4.8 -> 1.8 us each)."""
    cache: dict[Any, Any] = {}

    def converted(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = convert(value)
            return result

    return converted


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
        self._to_datetime: Convert = _sqlite_utc if dialect.name == "sqlite" else _aware_utc
        self._is_datetime = [name in datetimes for name in self._names]

    @property
    def names(self) -> tuple[str, ...]:
        """The parameter names in the order the driver takes them (``run_tuples``'s order)."""
        return tuple(self._names)

    async def run(self, conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        """Execute for every row (a dict of parameter name -> value)."""
        names = self._names
        await self.run_tuples(conn, [tuple(row[name] for name in names) for row in rows])

    async def run_tuples(self, conn: AsyncConnection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Execute for every row, each a tuple of values in :attr:`names` order (no dict
        per row: the hottest callers build the tuples directly)."""
        tuples: Sequence[tuple[Any, ...]] = rows
        if any(self._is_datetime):
            convert = _memoized(self._to_datetime)
            plan = [convert if is_datetime else None for is_datetime in self._is_datetime]
            tuples = [
                tuple(
                    value if to is None else to(value)
                    for to, value in zip(plan, row, strict=True)
                )
                for row in rows
            ]
        await conn.exec_driver_sql(self._sql, tuples)


def bulk_insert(table: Table, dialect: Dialect, columns: Sequence[str]) -> BulkStatement:
    """INSERT INTO table (columns) VALUES (...), parameters named like the columns."""
    statement = table.insert().values({name: bindparam(name) for name in columns})
    return BulkStatement(statement, utc_columns(table, columns), dialect)


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
    return BulkStatement(statement, utc_columns(table, (key, *columns), prefix="b_"), dialect)


def utc_columns(table: Table, columns: Sequence[str], prefix: str = "") -> frozenset[str]:
    """The parameter names (``prefix`` + column) of ``columns`` that are ``UtcDateTime``."""
    return frozenset(prefix + n for n in columns if isinstance(table.c[n].type, UtcDateTime))

"""Write transactions on SQL (``csms.storage.sql._common.write_transaction``).

SQLite has one writer: two write transactions of the same process must queue on the
engine's lock, never meet on the file lock (where SQLite's busy handler sleeps). These
tests set the busy timeout to 0, so any collision fails at once with "database is
locked" instead of being hidden by a sleep.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.domain import (
    ConnectorStatus,
    Direction,
    IdTag,
    MeterSample,
    OcppMessage,
    Station,
    StatusEvent,
)
from csms.domain.model import AuthorizationStatus
from csms.storage import (
    BootInfo,
    NewOrder,
    NewTransaction,
    OrderFilter,
    Stores,
    TransactionFilter,
)
from csms.storage.sql import create_engine, sql_stores
from csms.storage.sql._common import NestedWriteTransaction, write_transaction
from tests.storage.conftest import Database

T0 = datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC)
BOOT = BootInfo(ocpp_version="ocpp1.6", vendor="Acme", model="Volt 22")


def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=0")
    finally:
        cursor.close()


@pytest.fixture
async def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite database whose connections fail at once on a locked database."""
    path = tmp_path / "csms.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    event.listen(engine.sync_engine, "connect", _no_busy_wait)  # after csms's own pragmas
    try:
        yield engine
    finally:
        await engine.dispose()


async def _one_of_each_writer(stores: Stores, n: int) -> None:
    """The writers that met the write-behind's group commit under load: meter values,
    statuses and the message log (the flusher), last-seen times, a boot's station
    record, a transaction and billing's order."""
    station_id = f"CP-{n % 4}"
    when = T0 + timedelta(seconds=n)
    tx, _ = await stores.transactions.start(
        NewTransaction(station_id, 1, 1, "TAG", n, when, when, station_tx_id=str(n))
    )
    order, _ = await stores.orders.open(
        NewOrder(tx.id, station_id, 1, "TAG", None, None, "EUR", when, when)
    )
    await asyncio.gather(
        stores.meter_values.add_many(
            [MeterSample(station_id, 1, 1, tx.id, when, when, str(v)) for v in range(4)]
        ),
        stores.statuses.add_many(
            [StatusEvent(station_id, 1, 1, ConnectorStatus.CHARGING, "NoError", when, when)]
        ),
        stores.messages.add_many(
            [OcppMessage(station_id, Direction.INBOUND, when, '[2,"1","Heartbeat",{}]')]
        ),
        stores.stations.touch_many({f"CP-{k}": when for k in range(4)}),
        stores.stations.record_boot(station_id, BOOT, when),
        stores.orders.set_running(order.id, Decimal("1.50"), Decimal(100)),
        stores.id_tags.upsert(IdTag(f"TAG-{n}", AuthorizationStatus.ACCEPTED)),
    )


async def test_concurrent_writers_of_every_store_never_meet_on_sqlites_lock(
    sqlite_engine: AsyncEngine,
) -> None:
    stores = sql_stores(sqlite_engine)
    for k in range(4):
        await stores.stations.add(Station(id=f"CP-{k}", created_at=T0))

    await asyncio.gather(*(_one_of_each_writer(stores, n) for n in range(30)))

    assert len(await stores.meter_values.for_station("CP-0", limit=10_000)) == 8 * 4
    assert len(await stores.transactions.search(TransactionFilter())) == 30
    orders = await stores.orders.search(OrderFilter())
    assert {o.running_cost for o in orders} == {Decimal("1.50")}
    assert len(await stores.id_tags.all()) == 30
    assert all(s.last_boot_at is not None for s in await stores.stations.all())


async def test_sqlite_write_transactions_run_one_at_a_time(sqlite_engine: AsyncEngine) -> None:
    order: list[str] = []
    first_open = asyncio.Event()

    async def first() -> None:
        async with write_transaction(sqlite_engine) as conn:
            order.append("first begins")
            first_open.set()
            await asyncio.sleep(0.05)  # the second must still be waiting
            await conn.execute(text("UPDATE stations SET lenient = 1"))
            order.append("first ends")

    async def second() -> None:
        await first_open.wait()
        async with write_transaction(sqlite_engine) as conn:
            order.append("second begins")
            await conn.execute(text("UPDATE stations SET lenient = 0"))

    await asyncio.gather(first(), second())

    assert order == ["first begins", "first ends", "second begins"]


async def test_a_nested_write_transaction_is_refused_instead_of_deadlocking(
    sqlite_engine: AsyncEngine,
) -> None:
    async with write_transaction(sqlite_engine):
        with pytest.raises(NestedWriteTransaction):
            async with write_transaction(sqlite_engine):
                pass  # pragma: no cover

    async with write_transaction(sqlite_engine):  # the outer one released its lock
        pass


async def test_a_failed_write_transaction_rolls_back_and_releases_the_lock(
    sqlite_engine: AsyncEngine,
) -> None:
    stores = sql_stores(sqlite_engine)
    await stores.stations.add(Station(id="CP-1", created_at=T0))

    async def failing() -> None:
        async with write_transaction(sqlite_engine) as conn:
            await conn.execute(text("UPDATE stations SET lenient = 1"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await failing()

    async with asyncio.timeout(5):
        station = await stores.stations.record_boot("CP-1", BOOT, T0)
    assert station.lenient is False


@pytest.mark.postgres
async def test_postgres_write_transactions_are_not_serialised(
    postgres_database: Database,
) -> None:
    engine = create_engine(postgres_database.url, schema=postgres_database.schema)
    both_open = asyncio.Barrier(2)
    try:

        async def writer() -> None:
            async with write_transaction(engine) as conn:
                await conn.execute(text("SELECT 1"))
                async with asyncio.timeout(5):
                    await both_open.wait()  # times out if the second waits for the first

        await asyncio.gather(writer(), writer())
    finally:
        await engine.dispose()

"""Billing through the OCPP 1.6 handlers, over in-memory stores (or SQL: ``sql_billing``) with
a fake clock; the write-behind flusher runs as in the application."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from csms.app import wire_services
from csms.domain import IdTag
from csms.domain.billing import Driver, TariffSpec
from csms.handlers import RouteTable, StationContext, route_tables
from csms.ocpp import OcppVersion
from csms.services import Services
from csms.settings import Settings
from csms.storage import Stores
from csms.storage.memory import memory_stores
from csms.storage.sql import create_engine, sql_stores
from csms.testing import FakeClock
from tests.storage.conftest import (  # noqa: F401 - fixtures reused by the SQL tests here
    Database,
    database,
    postgres_database,
    sqlite_template,
)


@dataclass
class Billing:
    """A station CP1 that talks OCPP 1.6 to csms's handlers, and the services behind."""

    clock: FakeClock
    stores: Stores
    services: Services
    routes: RouteTable
    stops: list[tuple[str, int]] = field(default_factory=list)

    async def call(self, action: str, payload: dict[str, Any], station: str = "CP1") -> dict[str, Any]:
        ctx = StationContext(station, OcppVersion.V16, self.services)
        raw = msgspec.Raw(json.dumps(payload).encode())
        result = await self.routes.dispatch(ctx, action, raw)
        answer: dict[str, Any] = json.loads(result.payload)
        return answer

    async def driver(self, driver_id: str = "alice", tag: str = "TAG-1", *, balance: str = "50",
                     currency: str = "EUR", **fields: Any) -> Driver:  # fmt: skip
        """A driver owning ``tag`` whose wallet holds ``balance``."""
        driver = await self.services.billing.wallets.add_driver(
            Driver(driver_id, currency, self.clock.now(), **fields)
        )
        await self.stores.id_tags.upsert(IdTag(tag, owner=driver_id))
        if Decimal(balance):
            await self.services.billing.wallets.top_up(driver_id, Decimal(balance))
        return driver

    async def tariff(self, spec: TariffSpec, *, station: str | None = "CP1", name: str = "T") -> int:
        """A tariff, assigned to ``station`` (or nothing); returns its id."""
        view = await self.services.billing.tariffs.create(name, spec)
        if station is not None:
            from csms.domain.billing import AssignmentScope

            await self.services.billing.tariffs.assign(AssignmentScope.STATION, station, view.tariff.id)
        return view.tariff.id

    async def start(self, tag: str = "TAG-1", at: str = "2025-01-15T10:00:00Z", meter: int = 0,
                    connector: int = 1, station: str = "CP1") -> dict[str, Any]:  # fmt: skip
        return await self.call("StartTransaction", {"connectorId": connector, "idTag": tag,
                               "meterStart": meter, "timestamp": at}, station)  # fmt: skip

    async def meter(self, transaction_id: int, at: str, wh: int, connector: int = 1) -> None:
        sampled = [{"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]
        await self.call("MeterValues", {"connectorId": connector, "transactionId": transaction_id,
                                        "meterValue": [{"timestamp": at, "sampledValue": sampled}]})  # fmt: skip

    async def stop(self, transaction_id: int, at: str, wh: int, tag: str | None = "TAG-1") -> dict[str, Any]:
        payload: dict[str, Any] = {"transactionId": transaction_id, "meterStop": wh, "timestamp": at}
        if tag is not None:
            payload["idTag"] = tag
        return await self.call("StopTransaction", payload)


def _settings() -> Settings:
    return Settings(billing_test_payments=True, billing_minimum_balance=Decimal("5"))


async def _harness(stores: Stores, clock: FakeClock) -> AsyncIterator[Billing]:
    services = wire_services(_settings(), stores, clock)
    await services.stations.add("CP1")
    harness = Billing(clock, stores, services, route_tables()[OcppVersion.V16])

    async def remote_stop(station_id: str, transaction_id: int) -> str:
        harness.stops.append((station_id, transaction_id))
        return "Accepted"

    services.billing.bind_remote_stop(remote_stop)
    flusher = asyncio.create_task(services.write_behind.run())
    try:
        yield harness
    finally:
        flusher.cancel()
        await services.write_behind.close()


@pytest.fixture
async def billing() -> AsyncIterator[Billing]:
    clock = FakeClock()
    async for harness in _harness(memory_stores(clock.now), clock):
        yield harness


@pytest.fixture
async def any_billing(database: Database | None) -> AsyncIterator[Billing]:  # noqa: F811
    """The harness on each backend: memory, SQLite, PostgreSQL (emptied first)."""
    clock = FakeClock()
    if database is None:
        async for harness in _harness(memory_stores(clock.now), clock):
            yield harness
        return
    from sqlalchemy import text

    from csms.storage.sql.tables import metadata

    engine = create_engine(database.url, schema=database.schema)
    try:
        if database.schema is not None:
            tables = ", ".join(table.name for table in metadata.sorted_tables)
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
        async for harness in _harness(sql_stores(engine, clock.now), clock):
            yield harness
    finally:
        await engine.dispose()

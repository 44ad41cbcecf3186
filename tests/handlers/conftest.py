"""Handlers and services over the in-memory stores, with a fake clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from csms.app import wire_services
from csms.handlers import RouteTable, StationContext, route_tables
from csms.ocpp import OcppVersion
from csms.services import Services
from csms.settings import Settings
from csms.storage import Stores
from csms.storage.memory import memory_stores
from csms.testing import FakeClock


@dataclass
class Harness:
    """Calls actions the way the gateway does, and flushes write-behind like its task."""

    clock: FakeClock
    stores: Stores
    services: Services
    routes: RouteTable
    station_id: str = "CP1"
    lenient: bool = False

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        ctx = StationContext(self.station_id, OcppVersion.V16, self.services, self.lenient)
        raw = msgspec.Raw(json.dumps(payload).encode())
        result = await self.routes.dispatch(ctx, action, raw)
        answer: dict[str, Any] = json.loads(result.payload)
        return answer


@pytest.fixture
async def harness() -> Harness:
    clock = FakeClock()
    stores = memory_stores(clock.now)
    settings = Settings(heartbeat_interval=300, boot_retry_interval=60)
    services = wire_services(settings, stores, clock)
    await services.stations.add("CP1")
    return Harness(clock, stores, services, route_tables()[OcppVersion.V16])


@pytest.fixture(autouse=True)
async def _flushing(harness: Harness) -> Any:
    """Run the write-behind flusher as the application does."""
    import asyncio

    task = asyncio.create_task(harness.services.write_behind.run())
    yield
    task.cancel()
    await harness.services.write_behind.close()

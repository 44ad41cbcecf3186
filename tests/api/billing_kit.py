"""For the billing API tests: an app with the test payment provider and a running
write-behind, and a station session driven through the OCPP 1.6 handlers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import msgspec

from csms.app import App, build_app
from csms.handlers import StationContext, route_tables
from csms.ocpp import OcppVersion
from csms.settings import Settings
from csms.storage.memory import memory_stores
from csms.testing import FakeClock

TARIFF = {"name": "Standard", "currency": "EUR", "energy_per_kwh": "0.40", "session_fee": "0.50",
          "tax_rate": "0.20"}  # fmt: skip


async def billing_app(clock: FakeClock) -> AsyncIterator[App]:
    settings = Settings(billing_test_payments=True, billing_minimum_balance=Decimal(5))
    app = await build_app(settings, clock=clock, stores=memory_stores(clock.now))
    flusher = asyncio.create_task(app.services.write_behind.run())
    try:
        yield app
    finally:
        flusher.cancel()
        await app.services.write_behind.close()


async def ocpp(app: App, action: str, payload: dict[str, Any], station: str = "CP1") -> dict[str, Any]:
    ctx = StationContext(station, OcppVersion.V16, app.services)
    result = await route_tables()[OcppVersion.V16].dispatch(
        ctx, action, msgspec.Raw(json.dumps(payload).encode())
    )
    answer: dict[str, Any] = json.loads(result.payload)
    return answer


async def session(app: App, tag: str, wh: int, *, stop: bool = True) -> int:
    """A session 10:00-10:30 on CP1 delivering ``wh`` (a reading at 10:15 of half of it)."""
    started = await ocpp(app, "StartTransaction", {"connectorId": 1, "idTag": tag, "meterStart": 0,
                                                   "timestamp": "2025-01-15T10:00:00Z"})  # fmt: skip
    transaction_id: int = started["transactionId"]
    power = {"value": "20000", "measurand": "Power.Active.Import", "unit": "W"}
    energy = {"value": str(wh // 2), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    await ocpp(app, "MeterValues", {"connectorId": 1, "transactionId": transaction_id, "meterValue": [
        {"timestamp": "2025-01-15T10:15:00Z", "sampledValue": [energy, power]}]})  # fmt: skip
    if stop:
        await ocpp(app, "StopTransaction", {"transactionId": transaction_id, "meterStop": wh,
                                            "timestamp": "2025-01-15T10:30:00Z", "idTag": tag})  # fmt: skip
    return transaction_id

"""The seed flow (shared/seeds/000) over a real socket into a real SQLite file, and
what survives a shutdown."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from csms.domain import IdTag, TransactionState
from csms.storage.sql import create_engine, sql_stores
from csms.testing import RawStationClient, loopback_settings, running_app
from tests.e2e.conftest import ocpp_url

pytestmark = pytest.mark.e2e

SAMPLES = [
    {"value": "241.10", "measurand": "Voltage", "unit": "V"},
    {"value": "16.00", "measurand": "Current.Import", "unit": "A"},
    {"value": "3857", "measurand": "Power.Active.Import", "unit": "W"},
    {"value": "32", "measurand": "Current.Offered", "unit": "A"},
    {"value": "1500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
]


async def seed_session(cp: RawStationClient, tag: str = "remote-11902") -> int:
    boot = await cp.call("BootNotification", {"chargePointVendor": "VendorX",
                                              "chargePointModel": "ModelX123"})
    assert boot[2]["status"] == "Accepted"
    for connector in (0, 1, 2):
        ok = await cp.call("StatusNotification", {"connectorId": connector, "errorCode": "NoError",
                                                  "status": "Available"})
        assert ok == [3, ok[1], {}]
    auth = await cp.call("Authorize", {"idTag": tag})
    assert auth[2] == {"idTagInfo": {"status": "Accepted"}}
    started = await cp.call("StartTransaction", {"connectorId": 1, "idTag": tag,
                                                 "meterStart": 0,
                                                 "timestamp": "2025-01-15T02:09:54.000Z"})
    transaction_id: int = started[2]["transactionId"]
    for minute in (10, 20, 30):
        sent: dict[str, Any] = {"connectorId": 1, "transactionId": transaction_id, "meterValue": [
            {"timestamp": f"2025-01-15T02:{minute}:00Z", "sampledValue": SAMPLES}]}
        assert (await cp.call("MeterValues", sent))[2] == {}
    stopped = await cp.call("StopTransaction", {
        "idTag": tag, "timestamp": "2025-01-15T02:40:49", "meterStop": 6379,
        "reason": "EVDisconnected", "transactionId": transaction_id,
        "transactionData": [{"timestamp": "2025-01-15T02:40:49", "sampledValue": [
            {"value": "6379.259277", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]})
    assert stopped[2] == {"idTagInfo": {"status": "Accepted"}}
    return transaction_id


async def test_the_seed_session_is_stored_and_survives_a_restart(database_url: str) -> None:
    async with running_app(loopback_settings(database_url)) as app:
        await app.services.stations.add("CP1")
        await app.stores.id_tags.upsert(IdTag("remote-11902"))
        async with RawStationClient.connect(ocpp_url(app)) as cp:
            transaction_id = await seed_session(cp)
    engine = create_engine(database_url)  # csms is stopped: read the file afresh
    try:
        stores = sql_stores(engine)
        transaction = await stores.transactions.get(transaction_id)
        assert transaction is not None
        assert transaction.state is TransactionState.STOPPED
        assert transaction.energy_wh == 6379
        samples = await stores.meter_values.for_transaction(transaction_id)
        assert len(samples) == 3 * 5 + 1
        statuses = await stores.statuses.current("CP1")
        assert [s.status.value for s in statuses] == ["Available"] * 3
        station = await stores.stations.get("CP1")
        assert station is not None
        assert (station.vendor, station.model) == ("VendorX", "ModelX123")
        log = await stores.messages.recent("CP1", limit=100)
        assert len(log) == 2 * (1 + 3 + 1 + 1 + 3 + 1)  # every call and its answer
    finally:
        await engine.dispose()


async def test_shutdown_closes_every_station_with_going_away(database_url: str) -> None:
    async with running_app(loopback_settings(database_url)) as app:
        await app.services.stations.add("CP1")
        client = RawStationClient.connect(ocpp_url(app))
        cp = await client.__aenter__()
        await cp.call("Heartbeat", {})
    assert await cp.receive() is None
    assert cp.close_codes == [1001]
    await client.__aexit__(None, None, None)


async def test_many_stations_at_once_do_not_disturb_each_other(database_url: str) -> None:
    async with running_app(loopback_settings(database_url, auto_register=True)) as app:
        for index in range(20):
            await app.stores.id_tags.upsert(IdTag(f"TAG-{index}"))

        async def one(index: int) -> int:
            async with RawStationClient.connect(ocpp_url(app, f"CP-{index}")) as cp:
                if index % 5 == 0:
                    cp.send("{{ not ocpp")  # misbehaving neighbours
                    cp.send('[2,"x","MeterValues",{"connectorId":"one"}]')
                return await seed_session(cp, f"TAG-{index}")

        ids = await asyncio.gather(*(one(i) for i in range(20)))
        assert len(set(ids)) == 20
        for transaction_id in ids:
            transaction = await app.stores.transactions.get(transaction_id)
            assert transaction is not None
            assert transaction.energy_wh == 6379

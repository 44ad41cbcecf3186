"""The simulated station against csms over loopback and SQLite: what real chargers do
after an outage, retransmissions, and stops csms never saw start."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from csms.app import App
from csms.domain import IdTag, TransactionState
from csms.ocpp.messages import v16
from csms.simulator import SimulatedStation, StationConfig
from csms.storage import TransactionFilter
from tests.e2e.conftest import ocpp_url

pytestmark = pytest.mark.e2e


def simulated(app: App) -> SimulatedStation:
    return SimulatedStation(StationConfig(
        url=ocpp_url(app), id_tag="remote-11902", meter_interval=0,
        meter_time_scale=3600.0, action_delay=0.01))


async def until(condition: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110 - the stores publish no change events
            await asyncio.sleep(0.02)


async def test_a_session_charged_offline_is_reconciled_after_reconnecting(app: App) -> None:
    await app.stores.id_tags.upsert(IdTag("remote-11902"))
    station = simulated(app)
    try:
        await station.connect()
        await station.boot()
        await station.disconnect()
        await station.start_transaction(1)  # offline: no id from csms yet
        await asyncio.sleep(0.05)
        await station.send_meter_values(1)
        await station.stop_transaction(1, reason="EVDisconnected")
        assert station.offline_queue == ["StartTransaction", "MeterValues", "StopTransaction"]
        offline_done = datetime.now(UTC)
        await station.connect()

        async def delivered() -> bool:
            return station.offline_queue == []

        await until(delivered)
    finally:
        await station.close()
    [stored] = await app.stores.transactions.search(TransactionFilter(station_id="CP1"))
    assert stored.state is TransactionState.STOPPED
    assert stored.stop_reason == "EVDisconnected"
    assert stored.started_at < offline_done <= stored.received_at  # station time kept
    assert stored.energy_wh is not None
    assert stored.energy_wh > 0
    samples = await app.stores.meter_values.for_transaction(stored.id)
    assert {s.measurand for s in samples} >= {"Voltage", "Energy.Active.Import.Register"}


async def test_a_retransmitted_start_transaction_gets_the_same_id(app: App) -> None:
    station = simulated(app)
    request = v16.StartTransactionRequest(
        connector_id=2, id_tag="remote-11902", meter_start=100,
        timestamp=datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC))
    try:
        await station.connect()
        await station.boot()
        first = await station.typed_call("StartTransaction", request, v16.StartTransactionResponse)
        again = await station.typed_call("StartTransaction", request, v16.StartTransactionResponse)
    finally:
        await station.close()
    assert first.transaction_id == again.transaction_id
    assert len(await app.stores.transactions.search(TransactionFilter(station_id="CP1"))) == 1


async def test_a_stop_for_a_transaction_csms_never_saw_is_accepted(app: App) -> None:
    station = simulated(app)
    try:
        await station.connect()
        await station.boot()
        answer = await station.typed_call(
            "StopTransaction",
            v16.StopTransactionRequest(meter_stop=5000, transaction_id=777_777,
                                       timestamp=datetime(2025, 1, 15, 3, 0, tzinfo=UTC)),
            v16.StopTransactionResponse,
        )
    finally:
        await station.close()
    assert answer == v16.StopTransactionResponse()
    [recorded] = await app.stores.transactions.search(TransactionFilter(station_id="CP1"))
    assert (recorded.station_stop_unknown, recorded.station_tx_id) == (True, "777777")

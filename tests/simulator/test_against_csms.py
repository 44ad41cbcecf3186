"""The simulator against the real csms on loopback: the seed flow from both sides."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from csms.app import App
from csms.domain import IdTag, TransactionState
from csms.ocpp.messages import v16
from csms.simulator import SimulatedStation, StationConfig
from csms.testing import loopback_settings, running_app

pytestmark = pytest.mark.e2e


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with running_app(loopback_settings(f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}")) as app:
        await app.services.stations.add("CP1")
        await app.stores.id_tags.upsert(IdTag("SIMTAG01"))
        await app.stores.id_tags.upsert(IdTag("remote-11902"))
        yield app


def station_for(app: App) -> SimulatedStation:
    url = f"ws://127.0.0.1:{app.ocpp_port}/ocpp/CP1"
    return SimulatedStation(
        StationConfig(url=url, meter_interval=0.05, meter_time_scale=3600.0, action_delay=0.01)
    )


async def until(condition: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110 - the stores publish no change events
            await asyncio.sleep(0.02)


async def test_the_charge_scenario_is_stored_with_its_energy(app: App) -> None:
    station = station_for(app)
    try:
        result = await station.run_scenario("charge")
    finally:
        await station.close()

    assert result.transaction_id is not None
    stored = await app.stores.transactions.get(result.transaction_id)
    assert stored is not None
    assert stored.state is TransactionState.STOPPED
    assert stored.energy_wh == (result.meter_stop or 0) - (result.meter_start or 0) > 0


async def test_remote_start_and_stop_from_the_central_system(app: App) -> None:
    station = station_for(app)
    try:
        await station.connect()
        await station.boot()
        await station.send_statuses()
        started = await app.gateway.call(
            "CP1",
            "RemoteStartTransaction",
            v16.RemoteStartTransactionRequest(connector_id=1, id_tag="remote-11902"),
            v16.RemoteStartTransactionResponse,
        )
        assert started.status == "Accepted"

        async def confirmed() -> bool:
            tx = station.transaction(1)
            return tx is not None and tx.confirmed

        await until(confirmed)
        tx = station.transaction(1)
        assert tx is not None
        stopped = await app.gateway.call(
            "CP1",
            "RemoteStopTransaction",
            v16.RemoteStopTransactionRequest(transaction_id=tx.transaction_id),
            v16.RemoteStopTransactionResponse,
        )
        assert stopped.status == "Accepted"

        async def ended() -> bool:
            stored = await app.stores.transactions.get(tx.transaction_id)
            return stored is not None and stored.state is TransactionState.STOPPED

        await until(ended)
    finally:
        await station.close()

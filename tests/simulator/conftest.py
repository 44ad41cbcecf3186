"""A fake central system on loopback and fast simulated stations that close after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from csms.simulator import SimulatedStation, StationConfig
from tests.simulator.fake_csms import FakeCentralSystem

StationFactory = Callable[..., SimulatedStation]


@pytest.fixture
async def csms() -> AsyncIterator[FakeCentralSystem]:
    central = FakeCentralSystem()
    await central.start()
    yield central
    await central.stop()


@pytest.fixture
async def make_station(csms: FakeCentralSystem) -> AsyncIterator[StationFactory]:
    """Build stations with fast timers; every one is closed at the end of the test."""
    stations: list[SimulatedStation] = []

    def make(station_id: str = "CP-1", **overrides: Any) -> SimulatedStation:
        settings: dict[str, Any] = {
            "meter_interval": 0.05,
            "heartbeat_interval": 60.0,
            "action_delay": 0.01,
            "call_timeout": 2.0,
            "boot_retry_interval": 0.01,
        }
        settings.update(overrides)
        station = SimulatedStation(StationConfig(url=csms.url(station_id), **settings))
        stations.append(station)
        return station

    yield make
    for station in stations:
        await station.close()


async def registered(station: SimulatedStation) -> SimulatedStation:
    """Connect, boot and report statuses, as a station does after power-up."""
    await station.connect()
    await station.boot()
    await station.send_statuses()
    return station

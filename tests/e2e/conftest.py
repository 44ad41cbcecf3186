"""csms serving on free loopback ports over a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from csms.app import App
from csms.testing import loopback_settings, running_app


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    async with running_app(loopback_settings(database_url)) as running:
        await running.services.stations.add("CP1")
        await running.services.stations.add("SECURE", "s3cret-passw0rd")
        yield running


def ocpp_url(app: App, station_id: str = "CP1") -> str:
    return f"ws://127.0.0.1:{app.ocpp_port}/ocpp/{station_id}"

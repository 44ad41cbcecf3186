"""The REST API through an in-process ASGI client, over in-memory stores and a fake clock.

Fixtures ``admin``, ``operator``, ``driver`` (owner ``alice``) and ``anonymous`` are HTTP
clients holding a key of that role (none for ``anonymous``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from csms.app import App, build_app
from csms.settings import Settings
from csms.storage import BootInfo
from csms.storage.memory import memory_stores
from csms.testing import FakeClock, api_client, issue_key

DRIVER_OWNER = "alice"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app(clock: FakeClock) -> App:
    return await build_app(Settings(), clock=clock, stores=memory_stores(clock.now))


@pytest.fixture
async def admin(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app, await issue_key(app, "admin")) as http:
        yield http


@pytest.fixture
async def operator(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app, await issue_key(app, "operator")) as http:
        yield http


@pytest.fixture
async def driver(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app, await issue_key(app, "driver", owner=DRIVER_OWNER)) as http:
        yield http


@pytest.fixture
async def anonymous(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app) as http:
        yield http


async def boot_station(
    app: App, station_id: str, *, vendor: str = "ACME", model: str = "Fast 22", password: str | None = None
) -> None:
    """A registered station that has sent its BootNotification."""
    await app.services.stations.add(station_id, password)
    info = BootInfo("1.6", vendor, model, serial_number=f"SN-{station_id}", firmware_version="1.2.3")
    await app.stores.stations.record_boot(station_id, info, app.services.clock.now())

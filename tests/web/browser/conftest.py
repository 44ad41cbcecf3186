"""Browser tests: headless Chromium (Debian's ``chromium``) driven by Playwright against
csms serving on loopback with a temporary SQLite database and simulated stations.

Skipped, with the reason, when Chromium or Playwright is missing (``.ci/run`` installs
both). Screenshots go to ``$CSMS_SCREENSHOT_DIR`` when set (``docs/screenshots`` is made
that way), otherwise to a temporary directory whose path the run prints.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from csms.app import App
from csms.domain import IdTag
from csms.domain.billing import AssignmentScope, Driver, TariffSpec
from csms.domain.operations import Role
from csms.simulator import SimulatedStation, StationConfig
from csms.testing import loopback_settings, running_app
from csms.web import Web

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = os.environ.get("CSMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "correct horse"
OPERATOR = "olivia@example.com"
DRIVER = "alice@example.com"
TAG = "remote-11902"
STANDARD = TariffSpec("EUR", energy_per_kwh=Decimal("0.30"), session_fee=Decimal("1.00"))

if not Path(CHROMIUM).exists():
    if os.environ.get("CSMS_REQUIRE_CHROMIUM") == "1":  # CI: .ci/run installs it
        raise RuntimeError(f"no Chromium at {CHROMIUM}, and CSMS_REQUIRE_CHROMIUM=1")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - a dev dependency
    pytest.skip("playwright is not installed (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("CSMS_SCREENSHOT_DIR")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@dataclass
class Site:
    app: App
    base: str

    @property
    def web(self) -> Web:
        found: Web = self.app.api.state.web
        return found

    def station(self, station_id: str = "CP1") -> SimulatedStation:
        return SimulatedStation(
            StationConfig(
                url=f"ws://127.0.0.1:{self.app.ocpp_port}/ocpp/{station_id}",
                vendor="ACME", model="Fast 22", serial_number="ACME-0001",
                firmware_version="1.4.2", meter_interval=1.0, meter_samples=None,
                meter_time_scale=30.0, action_delay=0.05,
            )
        )


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    settings = loopback_settings(
        f"sqlite+aiosqlite:///{tmp_path}/csms.db", billing_test_payments=True, billing_currency="EUR"
    )
    async with running_app(settings) as app:
        web: Web = app.api.state.web
        await web.users.create(OPERATOR, Role.OPERATOR, PASSWORD, name="Olivia")
        await web.users.create(DRIVER, Role.DRIVER, PASSWORD, name="Alice", driver_id="alice")
        await app.services.stations.add("CP1")
        await app.services.tags.create(IdTag(TAG, owner="alice"))
        billing = app.services.billing
        await billing.wallets.add_driver(Driver("alice", "EUR", app.services.clock.now(), name="Alice"))
        await billing.wallets.top_up("alice", Decimal("20.00"), note="welcome")
        standard = await billing.tariffs.create("Standard", STANDARD)
        await billing.tariffs.assign(AssignmentScope.DEFAULT, "", standard.tariff.id)
        yield Site(app, f"http://127.0.0.1:{app.http_port}")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


"""A new operator and a driver, in real browsers: sign in, see the station come online,
start from the driver app (the seed flow), watch the numbers move, stop, find the
session in the dashboard, switch to Chinese. Screenshots of the main pages on the way."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from decimal import Decimal
from pathlib import Path

from playwright.async_api import Browser, Page, ViewportSize, expect

from csms.domain.billing import round_money
from tests.web.browser.conftest import DRIVER, OPERATOR, PASSWORD, Site

LAPTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}
TABLET: ViewportSize = {"width": 820, "height": 1180}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


async def sign_in(page: Page, email: str) -> None:
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")


async def test_operator_and_driver_charge_and_bill_a_session(
    site: Site, browser: Browser, screenshots: Path
) -> None:
    operator = await browser.new_page(viewport=LAPTOP, locale="en-GB")
    await operator.goto(site.base + "/")
    await expect(operator).to_have_url(re.compile(r"/login\?next=%2F$"))
    await sign_in(operator, OPERATOR)
    await expect(operator.locator("h1")).to_have_text("Overview")
    await expect(operator.locator("#stations-online")).to_have_text("0")
    await operator.wait_for_function("document.body.dataset.liveOpen === '1'")

    station = site.station()
    running = asyncio.create_task(station.run_scenario("idle"))
    try:
        # The overview follows the station coming online, without a reload.
        await expect(operator.locator("#stations-online")).to_have_text("1", timeout=10_000)
        await operator.screenshot(path=screenshots / "dashboard-overview.png", full_page=True)

        await operator.goto(site.base + "/stations/CP1")
        await expect(operator.locator("#presence .badge")).to_have_text("online")
        await expect(operator.locator("[data-connector='1'] [data-status]")).to_have_text("Available")
        operator.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await operator.fill("#cfg-key", "MeterValueSampleInterval")
        await operator.fill("#cfg-value", "1")
        await operator.click("#cfg-change")
        await expect(operator.locator("#config-answer [data-answer-status]")).to_have_text("Accepted")
        await expect(operator.locator("#configuration tr[data-key='MeterValueSampleInterval']")).to_contain_text("1")

        driver = await browser.new_page(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
        await driver.goto(site.base + "/app/s/CP1/1")  # the QR code on the charger
        await sign_in(driver, DRIVER)
        await expect(driver.locator("#connector-state")).to_have_attribute("data-state", "free")
        assert await driver.evaluate(NO_SIDEWAYS_SCROLL)
        await expect(driver.locator("#price")).to_contain_text("€0.30/kWh")
        await driver.screenshot(path=screenshots / "app-connector.png", full_page=True)
        await driver.click("#start")
        await expect(driver).to_have_url(re.compile(r"/app/session/\d+$"), timeout=15_000)
        transaction_id = driver.url.rsplit("/", 1)[1]

        # The station page shows the session live, the app's numbers move.
        await expect(operator.locator("[data-connector='1'] [data-status]")).to_have_text(
            "Charging", timeout=10_000
        )
        energy = driver.locator("#live-energy")
        first = await energy.inner_text()
        await expect(energy).not_to_have_text(first, timeout=10_000)
        await expect(driver.locator("#live-power")).to_have_text(re.compile(r"\d kW$"))
        await expect(driver.locator("#live-cost")).to_have_text(re.compile(r"^€1\.\d\d$"))
        await driver.screenshot(path=screenshots / "app-session.png", full_page=True)
        await operator.screenshot(path=screenshots / "dashboard-station.png")

        if os.environ.get("CSMS_SCREENSHOT_DIR"):  # pictures for the docs: a longer session
            await asyncio.sleep(6)
        driver.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await driver.click("#stop")
        await expect(driver).to_have_url(re.compile(rf"/app/orders/{transaction_id}$"), timeout=20_000)
        receipt_energy = await driver.locator("#receipt-energy").inner_text()
        assert receipt_energy.endswith("kWh")
        assert receipt_energy != "0.00 kWh"
        order = await site.app.services.billing.orders.by_transaction(int(transaction_id))
        assert order is not None
        assert order.total == round_money(order.energy_kwh * Decimal("0.30") + 1, "EUR")
        total = f"€{order.total}"
        await expect(driver.locator("#order-total")).to_have_text(total)
        await driver.screenshot(path=screenshots / "app-receipt.png", full_page=True)
        await driver.click("nav.tabs a[href='/app/wallet']")
        await expect(driver.locator("#balance")).to_have_text(f"€{Decimal('20.00') - order.total}")
        await driver.click("#top-up button[type=submit]")
        await expect(driver.locator("#balance")).to_have_text(f"€{Decimal('40.00') - order.total}")
        await driver.screenshot(path=screenshots / "app-wallet.png", full_page=True)
        await driver.go_back()
        await driver.go_back()

        # The operator finds the session with the same energy.
        await operator.goto(site.base + "/sessions?station=CP1")
        row = operator.locator(f"tr[data-transaction='{transaction_id}']")
        await expect(row).to_contain_text("Stopped")
        await row.locator("a").first.click()
        await expect(operator.locator("#session-energy")).to_have_text(receipt_energy)
        await expect(operator.locator("#order-total")).to_have_text(total)
        await expect(operator.locator("#order")).to_have_attribute("data-state", "paid")
        await expect(operator.locator("svg.chart polyline")).to_have_count(2)
        await operator.screenshot(path=screenshots / "dashboard-session.png", full_page=True)

        # Chinese, remembered across pages.
        await operator.click("a[data-lang=zh]")
        await expect(operator.locator("h1")).to_contain_text("会话")
        await operator.goto(site.base + "/")
        await expect(operator.locator("h1")).to_have_text("首页")
        await operator.screenshot(path=screenshots / "dashboard-overview-zh.png", full_page=True)
        for path in ("/", "/stations/CP1", f"/sessions/{transaction_id}", "/tariffs"):  # a tablet
            await operator.set_viewport_size(TABLET)
            await operator.goto(site.base + path)
            assert await operator.evaluate(NO_SIDEWAYS_SCROLL), path
        await operator.screenshot(path=screenshots / "dashboard-tariffs-tablet.png", full_page=True)
        await driver.click("a[data-lang=zh]")
        await expect(driver.locator("h1")).to_contain_text("收据")
        await driver.screenshot(path=screenshots / "app-receipt-zh.png", full_page=True)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await station.close()

"""Billing in the dashboard and the app, over in-memory stores: drivers and wallets,
the tariff editor with time-of-use periods, orders and their CSV, the driver's wallet."""

from __future__ import annotations

from decimal import Decimal

import httpx

from csms.app import App, build_app
from csms.domain.billing import Driver, TariffSpec
from csms.domain.operations import Role
from csms.settings import Settings
from csms.storage.memory import memory_stores
from csms.testing import FakeClock
from csms.web import Web
from tests.web.conftest import PASSWORD, client, csrf_of, sign_in


async def test_a_driver_is_added_and_topped_up(app: App, staff_client: httpx.AsyncClient) -> None:
    csrf = csrf_of((await staff_client.get("/drivers")).text)
    added = await staff_client.post(
        "/drivers", data={"csrf": csrf, "id": "alice", "name": "Alice", "currency": "EUR"},
        follow_redirects=True,
    )
    assert "Driver alice added." in added.text
    await staff_client.post("/drivers/alice/top-up", data={"csrf": csrf, "amount": "25.50", "note": "cash"})
    await staff_client.post("/drivers/alice/top-up", data={"csrf": csrf, "amount": "-0.50", "kind": "adjust", "note": "fix"})
    page = await staff_client.get("/drivers/alice")
    assert 'id="balance">€25.00<' in page.text
    assert "cash" in page.text
    assert "fix" in page.text
    wallet = await app.services.billing.wallets.wallet("alice")
    assert wallet.balance == Decimal("25.00")
    refused = await staff_client.post("/drivers/alice/top-up", data={"csrf": csrf, "amount": "-1"}, follow_redirects=True)
    assert "Not possible" in refused.text


async def test_the_tariff_editor_saves_time_of_use_periods_as_versions(
    app: App, staff_client: httpx.AsyncClient
) -> None:
    csrf = csrf_of((await staff_client.get("/tariffs")).text)
    form = {
        "csrf": csrf, "name": "Peak", "currency": "EUR", "energy_per_kwh": "0.30",
        "session_fee": "1", "tax_percent": "19", "time_zone": "Europe/Berlin", "period_rows": "2",
        "p0_name": "Day", "p0_d1": "1", "p0_d2": "1", "p0_d3": "1", "p0_d4": "1", "p0_d5": "1",
        "p0_start": "08:00", "p0_end": "20:00", "p0_energy": "0.45",
    }
    created = await staff_client.post("/tariffs", data=form, follow_redirects=True)
    assert "Tariff Peak saved." in created.text
    assert "€0.30/kWh" in created.text
    assert "Day (Mon, Tue, Wed, Thu, Fri 08:00–20:00): €0.45/kWh" in created.text
    assert "Prices exclude 19% tax" in created.text
    (view,) = await app.services.billing.tariffs.all()
    assert view.current.spec.periods[0].energy_per_kwh == Decimal("0.45")
    await staff_client.post(f"/tariffs/{view.tariff.id}", data={**form, "energy_per_kwh": "0.35"})
    versions = await app.services.billing.tariffs.versions(view.tariff.id)
    assert [v.spec.energy_per_kwh for v in versions] == [Decimal("0.30"), Decimal("0.35")]
    await staff_client.post(f"/tariffs/{view.tariff.id}/assign", data={"csrf": csrf, "scope": "station", "key": "CP1"})
    assert [(a.scope.value, a.key) for a in await app.services.billing.tariffs.assignments()] == [("station", "CP1")]
    bad = await staff_client.post("/tariffs", data={**form, "p0_end": "07:00"}, follow_redirects=True)
    assert "Invalid input" in bad.text


async def test_orders_list_and_csv(app: App, staff_client: httpx.AsyncClient) -> None:
    listing = await staff_client.get("/orders?state=paid")
    assert listing.status_code == 200
    assert "No order matches." in listing.text
    exported = await staff_client.get("/orders.csv")
    assert exported.text.splitlines()[0].startswith("order_id,transaction_id,station_id")


async def test_the_driver_tops_up_through_the_test_provider(clock: FakeClock) -> None:
    settings = Settings(billing_test_payments=True, time_zone="Asia/Shanghai")
    app = await build_app(settings, clock=clock, stores=memory_stores(clock.now))
    web: Web = app.api.state.web
    await web.users.create("alice@example.com", Role.DRIVER, PASSWORD, driver_id="alice")
    await app.services.billing.wallets.add_driver(Driver("alice", "CNY", clock.now()))
    await app.services.billing.tariffs.create("Free", TariffSpec("CNY"))
    async with client(app) as http:
        await sign_in(http, "alice@example.com", area="/app")
        page = await http.get("/app/wallet", headers={"Accept-Language": "zh-CN"})
        assert 'id="balance">¥0.00<' in page.text
        assert "充值" in page.text
        key = page.text.split('name="key" value="')[1].split('"')[0]
        data = {"csrf": csrf_of(page.text), "amount": "20", "key": key}
        await http.post("/app/wallet/top-up", data=data)
        await http.post("/app/wallet/top-up", data=data)  # a resubmitted form pays once
        declined = await http.post("/app/wallet/top-up", data={**data, "key": "k2", "card": "tok_declined"}, follow_redirects=True)
        assert "The payment was declined." in declined.text
        assert 'id="balance">CN¥20.00<' in declined.text or 'id="balance">¥20.00<' in declined.text
        assert "2025" in declined.text  # the ledger's times, in the site's zone

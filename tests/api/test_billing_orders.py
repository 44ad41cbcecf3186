"""Orders through the REST API: list, detail with the breakdown and chart, CSV, running
cost and pre-payment limit, refunds; a driver sees only their own orders."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest

from csms.app import App
from csms.domain import IdTag
from csms.testing import FakeClock, api_client, issue_key
from tests.api.billing_kit import TARIFF, billing_app, session


@pytest.fixture
async def app(clock: FakeClock) -> AsyncIterator[App]:
    async for running in billing_app(clock):
        yield running


@pytest.fixture
async def priced(app: App, operator: httpx.AsyncClient) -> int:
    """A tariff on CP1, drivers alice (50 EUR) and bob, and one finished session of alice:
    10 kWh x 0.40 + 0.50 = 4.50 net, 5.40 with 20 % tax. Returns its transaction id."""
    await app.services.stations.add("CP1")
    await operator.post("/api/v1/tariffs", json=TARIFF)
    await operator.put("/api/v1/tariff-assignments/station/CP1", json={"tariff_id": 1})
    for driver in ("alice", "bob"):
        await operator.post("/api/v1/drivers", json={"id": driver})
        await operator.post(f"/api/v1/wallets/{driver}/top-ups", json={"amount": "50"})
    await app.stores.id_tags.upsert(IdTag("ALICE", owner="alice"))
    await app.stores.id_tags.upsert(IdTag("BOB", owner="bob"))
    return await session(app, "ALICE", 10000)


async def test_an_order_shows_its_price_breakdown_and_chart(operator: httpx.AsyncClient, priced: int) -> None:
    listed = (await operator.get("/api/v1/orders", params={"transaction_id": priced})).json()["items"]
    order = (await operator.get(f"/api/v1/orders/{listed[0]['id']}")).json()

    assert (order["state"], order["net"], order["tax"], order["total"]) == ("paid", "4.50", "0.90", "5.40")
    assert (order["energy_kwh"], order["charging_minutes"], order["idle_minutes"]) == ("10", "30.000", "0.000")
    assert [(x["component"], x["quantity"], x["amount"]) for x in order["lines"]] == [
        ("energy", "10", "4.00"), ("session_fee", "1", "0.50")
    ]  # fmt: skip
    assert (order["tariff_version_id"], order["driver_id"], order["station_id"]) == (1, "alice", "CP1")
    assert order["chart"] == {
        "energy_kwh": [{"timestamp": "2025-01-15T10:15:00Z", "value": "5"}],
        "power_kw": [{"timestamp": "2025-01-15T10:15:00Z", "value": "20"}],
    }
    wallet = (await operator.get("/api/v1/wallets/alice")).json()
    assert wallet["balance"] == "44.60"


async def test_the_running_cost_is_visible_while_charging(app: App, operator: httpx.AsyncClient, priced: int) -> None:
    # Half way: 5 kWh x 0.40 + 0.50 = 2.50 net, 3.00 with tax.
    running = await session(app, "BOB", 10000, stop=False)

    order = (await operator.get("/api/v1/orders", params={"transaction_id": running})).json()["items"][0]

    assert (order["state"], order["running_cost"], order["total"]) == ("open", "3.00", None)
    limited = await operator.put(f"/api/v1/orders/{order['id']}/limit", json={"max_amount": "2.50"})
    assert (limited.status_code, limited.json()["max_amount"]) == (200, "2.50")
    closed = await operator.put("/api/v1/orders/1/limit", json={"max_amount": "9"})
    assert (closed.status_code, closed.json()["error"]) == (409, "order_not_open")


async def test_list_filters_and_csv(operator: httpx.AsyncClient, app: App, priced: int) -> None:
    await session(app, "BOB", 2000)

    everything = (await operator.get("/api/v1/orders")).json()["items"]
    bobs = (await operator.get("/api/v1/orders", params={"driver_id": "bob"})).json()["items"]
    paid = (await operator.get("/api/v1/orders", params={"state": "paid", "limit": 1})).json()
    exported = await operator.get("/api/v1/orders.csv")

    assert [o["driver_id"] for o in everything] == ["bob", "alice"]
    assert [o["total"] for o in bobs] == ["1.56"]  # (2 x 0.40 + 0.50) x 1.2
    assert (len(paid["items"]), paid["next_offset"]) == (1, 1)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["driver_id"], r["net"], r["tax"], r["total"], r["currency"]) for r in rows] == [
        ("bob", "1.30", "0.26", "1.56", "EUR"), ("alice", "4.50", "0.90", "5.40", "EUR")
    ]  # fmt: skip


async def test_refunds(operator: httpx.AsyncClient, priced: int) -> None:
    refunded = await operator.post("/api/v1/orders/1/refund", json={"note": "broken cable"})
    again = await operator.post("/api/v1/orders/1/refund", json={})

    assert (refunded.status_code, refunded.json()["state"]) == (200, "refunded")
    assert (again.status_code, again.json()["error"]) == (409, "order_not_paid")
    assert (await operator.get("/api/v1/wallets/alice")).json()["balance"] == "50.00"
    assert (await operator.post("/api/v1/orders/9/refund", json={})).status_code == 404


async def test_a_driver_sees_only_their_own_orders(app: App, priced: int) -> None:
    await session(app, "BOB", 2000)
    async with api_client(app, await issue_key(app, "driver", owner="bob")) as bob:
        mine = (await bob.get("/api/v1/orders")).json()["items"]
        others = (await bob.get("/api/v1/orders", params={"driver_id": "alice"})).json()["items"]
        by_tx = (await bob.get("/api/v1/orders", params={"transaction_id": priced})).json()["items"]
        alices = await bob.get("/api/v1/orders/1")
        exported = await bob.get("/api/v1/orders.csv")
        refund = await bob.post("/api/v1/orders/2/refund", json={})

    assert [o["driver_id"] for o in mine] == ["bob"]
    assert ([o["driver_id"] for o in others], by_tx) == (["bob"], [])  # the filter cannot widen
    assert alices.status_code == 404
    assert len(exported.text.strip().splitlines()) == 2  # header + bob's order
    assert refund.status_code == 403

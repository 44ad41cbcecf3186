"""The seed flow, paid for: a driver with a wallet, a tariff on the station, a session started
through the REST API (``/driver/start``) on a simulated station over loopback and SQLite, the
running cost read from the live event stream (SSE) while it charges, then the order and the
wallet checked through the REST API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal as D
from pathlib import Path

import httpx
import pytest

from csms.app import App
from csms.domain.billing import round_money
from csms.simulator import SimulatedStation, StationConfig
from csms.testing import api_client, issue_key, loopback_settings, running_app
from tests.e2e.conftest import ocpp_url

pytestmark = pytest.mark.e2e

TAG = "remote-11902"
TARIFF = {"name": "Standard", "currency": "CNY", "energy_per_kwh": "1.20", "session_fee": "0.50",
          "tax_rate": "0.13", "time_zone": "Asia/Shanghai"}  # fmt: skip


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = loopback_settings(f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}",
                                 billing_test_payments=True, billing_minimum_balance=D(10))
    async with running_app(settings) as running:
        await running.services.stations.add("CP1")
        yield running


@pytest.fixture
async def admin(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app, await issue_key(app, "admin")) as http:
        yield http


@pytest.fixture
async def alice(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app, await issue_key(app, "driver", owner="alice")) as http:
        yield http


@pytest.fixture
async def station(app: App) -> AsyncIterator[SimulatedStation]:
    # One real second of charging counts as an hour on the meter (7.36 kW): real kWh fast.
    simulated = SimulatedStation(StationConfig(url=ocpp_url(app), id_tag=TAG, meter_interval=0.2,
                                               meter_time_scale=3600.0, action_delay=0.01))  # fmt: skip
    await simulated.connect()
    await simulated.boot()
    await simulated.send_statuses()
    try:
        yield simulated
    finally:
        await simulated.close()


async def add_driver(admin: httpx.AsyncClient, limit: str | None = None) -> None:
    """Driver alice with an empty CNY wallet, owning the seed's tag."""
    driver = {"id": "alice", "currency": "CNY", "session_limit": limit}
    assert (await admin.post("/api/v1/drivers", json=driver)).status_code == 201
    assert (await admin.post("/api/v1/tags", json={"id_tag": TAG, "owner": "alice"})).status_code == 201


async def set_up(admin: httpx.AsyncClient, alice: httpx.AsyncClient, *, limit: str | None = None) -> None:
    """Driver alice (CNY wallet) owning the seed's tag, a tariff on CP1, 100 CNY paid in."""
    if (await admin.get("/api/v1/drivers/alice")).status_code == 404:
        await add_driver(admin, limit)
    assert (await admin.post("/api/v1/tariffs", json=TARIFF)).status_code == 201
    assigned = await admin.put("/api/v1/tariff-assignments/station/CP1", json={"tariff_id": 1})
    assert assigned.status_code == 200
    top_up = {"amount": "100", "idempotency_key": "seed-1", "payment": {"provider": "test", "token": "tok_visa"}}
    assert (await alice.post("/api/v1/wallets/me/top-ups", json=top_up)).status_code == 201


async def streamed_running_costs(app: App, key: str, count: int, listening: asyncio.Event) -> list[D]:
    """The first ``count`` running costs above the session fee, read from the SSE stream."""
    url = f"http://127.0.0.1:{app.http_port}"
    params = {"station": "CP1", "type": "order.updated"}
    found: list[D] = []
    async with (
        httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http,
        http.stream("GET", "/api/v1/events", params=params, timeout=10) as response,
    ):
        async for line in response.aiter_lines():
            listening.set()
            if not line.startswith("data: "):
                continue
            data = json.loads(line.removeprefix("data: "))["data"]
            if data["state"] == "open" and D(data["running_cost"]) > D("0.57"):
                found.append(D(data["running_cost"]))
                if len(found) == count:
                    return found
    return found


async def test_a_session_started_from_the_api_ends_in_a_paid_order_and_a_debited_wallet(
    app: App, admin: httpx.AsyncClient, alice: httpx.AsyncClient, station: SimulatedStation
) -> None:
    await add_driver(admin)
    before = (await alice.get("/api/v1/wallets/me")).json()
    assert (before["can_start"], "top it up" in before["reason"]) == (False, True)
    assert (await station.authorize(TAG)).status == "Blocked"  # an empty wallet may not charge
    refused = await alice.post("/api/v1/driver/start", json={"station_id": "CP1"})
    assert (refused.status_code, refused.json()["error"]) == (409, "start_refused"), refused.text
    assert refused.json()["id_tag_status"] == "Blocked"
    assert "top it up" in refused.json()["reason"]  # the same clear reason as the wallet gives
    await set_up(admin, alice)
    listening = asyncio.Event()
    stream = asyncio.create_task(streamed_running_costs(app, await issue_key(app, "operator"), 3, listening))
    await asyncio.wait_for(listening.wait(), 5)

    started = await alice.post("/api/v1/driver/start", json={"station_id": "CP1", "wait_for_transaction": 5})
    assert (started.status_code, started.json()["status"]) == (200, "Accepted"), started.text
    transaction_id = started.json()["transaction_id"]
    running = await asyncio.wait_for(stream, 10)  # the running cost, streamed while it charges
    stopped = await alice.post("/api/v1/driver/stop", json={"transaction_id": transaction_id, "wait_for_stop": 5})
    assert (stopped.json()["status"], stopped.json()["stopped"]) == ("Accepted", True)

    assert running == sorted(running)
    [order] = (await alice.get("/api/v1/orders")).json()["items"]
    energy = D(order["energy_kwh"])
    total = round_money((energy * D("1.20") + D("0.50")) * D("1.13"), "CNY")
    assert (order["state"], order["currency"], order["tariff_version_id"]) == ("paid", "CNY", 1)
    assert (order["transaction_id"], order["id_tag"]) == (transaction_id, TAG)
    assert energy > 1
    assert D(order["total"]) == total
    assert D(order["net"]) + D(order["tax"]) == total
    assert D(order["total"]) >= running[-1]
    detail = (await alice.get(f"/api/v1/orders/{order['id']}")).json()
    assert len(detail["chart"]["energy_kwh"]) >= 3
    wallet = (await alice.get("/api/v1/wallets/me")).json()
    assert D(wallet["balance"]) == D(100) - total
    ledger = (await alice.get("/api/v1/wallets/me/ledger")).json()["items"]
    assert [(e["kind"], D(e["amount"])) for e in ledger] == [("charge", -total), ("top_up", D(100))]


async def test_the_prepayment_limit_stops_the_session_by_itself(
    app: App, admin: httpx.AsyncClient, alice: httpx.AsyncClient, station: SimulatedStation
) -> None:
    await set_up(admin, alice, limit="5.00")

    started = await alice.post("/api/v1/driver/start", json={"station_id": "CP1", "wait_for_transaction": 5})
    assert started.json()["transaction_id"] == 1, started.text
    async with asyncio.timeout(10):
        while station.transaction(started.json()["connector_id"]) is not None:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        while True:  # the StopTransaction is priced before it is answered; wait for it
            [order] = (await alice.get("/api/v1/orders")).json()["items"]
            if order["state"] == "paid":
                break
            await asyncio.sleep(0.05)

    [finished] = station.finished
    assert finished.stop_reason == "Remote"
    assert D(order["max_amount"]) == D("5.00")
    assert D(order["total"]) >= D("5.00")
    assert D((await alice.get("/api/v1/wallets/me")).json()["balance"]) == D(100) - D(order["total"])

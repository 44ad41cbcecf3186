"""Transactions: filters, paging, detail with meter values, kWh, duration, CSV, drivers."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import httpx

from csms.app import App
from csms.domain import IdTag, MeterSample, Transaction
from csms.storage import NewTransaction, TransactionStop
from csms.testing import FakeClock

T0 = datetime.fromisoformat("2025-01-15T00:00:00+00:00")


async def _start(app: App, station: str, tag: str | None, minutes: int, meter: int = 1000) -> Transaction:
    at = T0 + timedelta(minutes=minutes)
    tx, _ = await app.stores.transactions.start(NewTransaction(station, 1, 1, tag, meter, at, at))
    return tx


async def _stop(app: App, tx: Transaction, minutes: int, meter: int, reason: str = "Local") -> None:
    at = tx.started_at + timedelta(minutes=minutes)
    await app.stores.transactions.stop(tx.id, TransactionStop(meter, at, at, reason))


async def _samples(app: App, tx: Transaction) -> None:
    def sample(minute: int, value: str, measurand: str, unit: str, phase: str | None = None) -> MeterSample:
        at = tx.started_at + timedelta(minutes=minute)
        return MeterSample(tx.station_id, 1, 1, tx.id, at, at, value, measurand, unit, phase)

    await app.stores.meter_values.add_many(
        [
            sample(1, "1.5", "Energy.Active.Import.Register", "kWh"),
            sample(1, "16.1", "Current.Import", "A", "L1"),
            sample(2, "7400", "Power.Active.Import", "W"),
            sample(2, "2.5", "Energy.Active.Import.Register", "kWh"),
        ]
    )


async def _seed(app: App) -> list[Transaction]:
    await app.stores.id_tags.upsert(IdTag("ALICE1", owner="alice"))
    await app.stores.id_tags.upsert(IdTag("ALICE2", owner="alice"))
    await app.stores.id_tags.upsert(IdTag("BOB", owner="bob"))
    a = await _start(app, "CP1", "ALICE1", 0)
    await _stop(app, a, 30, 13500, "EVDisconnected")
    b = await _start(app, "CP2", "BOB", 10)
    c = await _start(app, "CP1", "ALICE2", 20)
    return [a, b, c]


async def test_list_newest_first_with_filters_and_paging(app: App, operator: httpx.AsyncClient) -> None:
    a, b, c = await _seed(app)

    async def ids(**params: str | int) -> list[int]:
        response = await operator.get("/api/v1/transactions", params=params)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    assert await ids() == [c.id, b.id, a.id]
    assert await ids(station_id="CP1") == [c.id, a.id]
    assert await ids(id_tag="BOB") == [b.id]
    assert await ids(state="Stopped") == [a.id]
    assert await ids(since="2025-01-15T00:10:00Z") == [c.id, b.id]
    assert await ids(until="2025-01-15T00:10:00Z") == [a.id]
    page = (await operator.get("/api/v1/transactions", params={"limit": 2, "offset": 1})).json()
    assert ([t["id"] for t in page["items"]], page["next_offset"]) == ([b.id, a.id], None)
    bad = await operator.get("/api/v1/transactions", params={"since": "yesterday"})
    assert bad.json()["fields"][0]["field"] == "query.since"


async def test_stopped_transaction_has_kwh_duration_and_reason(app: App, operator: httpx.AsyncClient) -> None:
    await _seed(app)
    listed = (await operator.get("/api/v1/transactions", params={"state": "Stopped"})).json()
    item = listed["items"][0]
    assert (item["energy_kwh"], item["duration_seconds"], item["stop_reason"]) == (12.5, 1800.0, "EVDisconnected")
    assert (item["meter_start"], item["meter_stop"]) == (1000, 13500)


async def test_detail_has_every_measurand_and_live_energy(
    app: App, clock: FakeClock, operator: httpx.AsyncClient
) -> None:
    *_, c = await _seed(app)
    await _samples(app, c)
    clock.current = c.started_at + timedelta(minutes=5)
    body = (await operator.get(f"/api/v1/transactions/{c.id}")).json()
    assert body["state"] == "Active"
    assert body["energy_kwh"] == 1.5  # 2.5 kWh register - 1000 Wh at start
    assert body["duration_seconds"] == 300.0
    assert body["measurands"] == ["Current.Import", "Energy.Active.Import.Register", "Power.Active.Import"]
    assert len(body["meter_values"]) == 4
    current = next(m for m in body["meter_values"] if m["measurand"] == "Current.Import")
    assert (current["phase"], current["unit"], current["value"]) == ("L1", "A", "16.1")
    listed = (await operator.get("/api/v1/transactions", params={"state": "Active"})).json()
    assert all(t["energy_kwh"] is None for t in listed["items"])


async def test_unknown_transaction_is_404(operator: httpx.AsyncClient) -> None:
    response = await operator.get("/api/v1/transactions/99")
    assert response.status_code == 404
    assert response.json() == {"error": "transaction_not_found", "detail": "unknown transaction 99"}
    not_a_number = await operator.get("/api/v1/transactions/abc")
    assert not_a_number.status_code == 422
    assert not_a_number.json()["fields"][0]["field"] == "path.transaction_id"


async def test_csv_export_has_a_header_and_the_same_filters(app: App, operator: httpx.AsyncClient) -> None:
    a, _b, c = await _seed(app)
    response = await operator.get("/api/v1/transactions.csv", params={"station_id": "CP1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["id"]) for r in rows] == [c.id, a.id]
    assert rows[1]["energy_kwh"] == "12.5"
    assert rows[1]["stop_reason"] == "EVDisconnected"
    assert rows[0]["stopped_at"] == ""
    assert response.text.splitlines()[0].startswith("id,station_id,evse_id,connector_id,id_tag,state")


async def test_csv_export_pages_through_many(app: App, operator: httpx.AsyncClient) -> None:
    for n in range(1200):
        await _start(app, "CP1", f"T{n}", n)
    lines = (await operator.get("/api/v1/transactions.csv")).text.splitlines()
    assert len(lines) == 1201


async def test_driver_sees_only_sessions_of_own_tags(app: App, driver: httpx.AsyncClient) -> None:
    a, b, c = await _seed(app)
    listed = (await driver.get("/api/v1/transactions")).json()
    assert [t["id"] for t in listed["items"]] == [c.id, a.id]
    second = (await driver.get("/api/v1/transactions", params={"limit": 1, "offset": 1})).json()
    assert ([t["id"] for t in second["items"]], second["next_offset"]) == ([a.id], None)
    assert (await driver.get("/api/v1/transactions", params={"id_tag": "BOB"})).json()["items"] == []
    assert (await driver.get(f"/api/v1/transactions/{a.id}")).status_code == 200
    assert (await driver.get(f"/api/v1/transactions/{b.id}")).status_code == 404
    rows = (await driver.get("/api/v1/transactions.csv")).text.splitlines()
    assert len(rows) == 3


async def test_anonymous_is_401(anonymous: httpx.AsyncClient) -> None:
    for path in ("/api/v1/transactions", "/api/v1/transactions.csv", "/api/v1/transactions/1"):
        response = await anonymous.get(path)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"

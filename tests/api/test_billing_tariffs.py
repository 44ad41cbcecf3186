"""Tariffs through the REST API: CRUD with immutable versions, assignments, station groups,
the quote, and who may do what."""

from __future__ import annotations

import httpx
import pytest

from csms.app import App
from csms.domain import IdTag

STANDARD = {
    "name": "Standard",
    "currency": "EUR",
    "energy_per_kwh": "0.39",
    "idle_per_minute": "0.10",
    "idle_grace_minutes": "15",
    "session_fee": "0.50",
    "tax_rate": "0.19",
    "time_zone": "Europe/Paris",
    "periods": [{"name": "peak", "days": [1, 2, 3, 4, 5], "start": "17:00", "end": "20:00",
                 "energy_per_kwh": "0.55"}],
}  # fmt: skip


async def test_create_show_edit_and_archive_a_tariff(operator: httpx.AsyncClient) -> None:
    created = await operator.post("/api/v1/tariffs", json=STANDARD)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["id"], body["name"], body["archived"]) == (1, "Standard", False)
    current = body["current"]
    assert (current["id"], current["version"], current["energy_per_kwh"]) == (1, 1, "0.39")
    assert current["periods"][0] == {"name": "peak", "days": [1, 2, 3, 4, 5], "start": "17:00:00",
                                     "end": "20:00:00", "energy_per_kwh": "0.55",
                                     "charging_per_minute": None, "idle_per_minute": None}  # fmt: skip
    assert current["idle_grace_minutes"] == "15"

    edited = await operator.put("/api/v1/tariffs/1", json={**STANDARD, "name": "Std", "energy_per_kwh": "0.42"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["name"], edited.json()["current"]["version"]) == ("Std", 2)
    versions = (await operator.get("/api/v1/tariffs/1/versions")).json()
    assert [(v["version"], v["energy_per_kwh"]) for v in versions] == [(1, "0.39"), (2, "0.42")]
    assert (await operator.get("/api/v1/tariff-versions/1")).json()["energy_per_kwh"] == "0.39"

    assert (await operator.delete("/api/v1/tariffs/1")).status_code == 204
    assert (await operator.get("/api/v1/tariffs")).json() == []
    assert len((await operator.get("/api/v1/tariffs", params={"archived": True})).json()) == 1
    assert (await operator.put("/api/v1/tariffs/1", json=STANDARD)).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "euro"}, "currency"),
        ({"energy_per_kwh": "-1"}, "energy_per_kwh"),
        ({"tax_rate": "1.5"}, "tax_rate"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"min_price": "5", "max_price": "1"}, "min_price is above max_price"),
        ({"periods": [{"name": "x", "days": [1], "start": "20:00", "end": "17:00"}]}, "end must be after"),
        ({"periods": [{"name": "x", "days": [8], "start": "17:00", "end": "20:00"}]}, "weekdays"),
    ],
)
async def test_invalid_tariffs_are_422(operator: httpx.AsyncClient, change: dict[str, object], field: str) -> None:
    response = await operator.post("/api/v1/tariffs", json={**STANDARD, **change})

    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_error"
    assert field in response.json()["detail"]


async def test_assignments_and_the_quote(app: App, operator: httpx.AsyncClient, driver: httpx.AsyncClient) -> None:
    await operator.post("/api/v1/tariffs", json=STANDARD)
    await operator.post("/api/v1/tariffs", json={**STANDARD, "name": "Staff", "energy_per_kwh": "0.10"})
    await operator.post("/api/v1/tariffs", json={**STANDARD, "name": "Highway", "energy_per_kwh": "0.69"})
    await app.stores.id_tags.upsert(IdTag("MINE", owner="alice"))
    await app.stores.id_tags.upsert(IdTag("OTHER", owner="bob"))

    assert (await operator.put("/api/v1/tariff-assignments/default", json={"tariff_id": 1})).status_code == 200
    assert (await operator.put("/api/v1/tariff-assignments/id_tag/MINE", json={"tariff_id": 2})).status_code == 200
    assert (await operator.put("/api/v1/station-groups/highway/stations/CP9")).status_code == 204
    put = await operator.put("/api/v1/tariff-assignments/station_group/highway", json={"tariff_id": 3})
    assert put.json()["scope"] == "station_group"
    assert (await operator.get("/api/v1/station-groups")).json() == {"highway": ["CP9"]}
    listed = (await operator.get("/api/v1/tariff-assignments")).json()
    assert [(a["scope"], a["key"], a["tariff_id"]) for a in listed] == [
        ("default", "", 1), ("id_tag", "MINE", 2), ("station_group", "highway", 3)
    ]  # fmt: skip

    async def quote(http: httpx.AsyncClient, **params: str) -> httpx.Response:
        return await http.get("/api/v1/tariffs/quote", params=params)

    assert (await quote(operator, station_id="CP1")).json()["tariff_id"] == 1
    assert (await quote(operator, station_id="CP9")).json()["tariff_id"] == 3
    assert (await quote(driver, station_id="CP9", id_tag="MINE")).json()["tariff_id"] == 2
    assert (await quote(driver, station_id="CP9", id_tag="OTHER")).status_code == 404

    bad = await operator.put("/api/v1/tariff-assignments/station/CP1", json={"tariff_id": 9})
    assert (bad.status_code, bad.json()["error"]) == (422, "validation_error")
    assert (await operator.put("/api/v1/tariff-assignments/planet/X", json={"tariff_id": 1})).status_code == 422
    assert (await operator.delete("/api/v1/tariff-assignments/default")).status_code == 204
    assert (await operator.delete("/api/v1/tariff-assignments/default")).status_code == 404
    assert (await quote(operator, station_id="CP1")).status_code == 404
    assert (await operator.delete("/api/v1/station-groups/highway/stations/CP9")).status_code == 204


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/tariffs", None),
        ("POST", "/api/v1/tariffs", STANDARD),
        ("GET", "/api/v1/tariffs/1", None),
        ("PUT", "/api/v1/tariffs/1", STANDARD),
        ("DELETE", "/api/v1/tariffs/1", None),
        ("GET", "/api/v1/tariff-assignments", None),
        ("PUT", "/api/v1/tariff-assignments/default", {"tariff_id": 1}),
        ("GET", "/api/v1/station-groups", None),
    ],
)
async def test_drivers_may_not_manage_tariffs(
    driver: httpx.AsyncClient, anonymous: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    assert (await driver.request(method, path, json=body)).status_code == 403
    assert (await anonymous.request(method, path, json=body)).status_code == 401

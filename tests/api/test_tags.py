"""Id tags: CRUD, 20-character limit, owners, drivers see their own read-only."""

from __future__ import annotations

import httpx
import pytest

from csms.app import App
from csms.domain import IdTag


async def test_create_show_update_delete(operator: httpx.AsyncClient) -> None:
    created = await operator.post(
        "/api/v1/tags",
        json={"id_tag": "TAG1", "expiry_date": "2030-01-01T00:00:00", "parent_id_tag": "FLEET", "owner": "alice"},
    )
    assert created.status_code == 201
    assert created.json() == {
        "id_tag": "TAG1",
        "status": "Accepted",
        "expiry_date": "2030-01-01T00:00:00Z",
        "parent_id_tag": "FLEET",
        "owner": "alice",
    }
    assert (await operator.get("/api/v1/tags/TAG1")).json()["owner"] == "alice"
    blocked = (await operator.patch("/api/v1/tags/TAG1", json={"status": "Blocked"})).json()
    assert (blocked["status"], blocked["owner"], blocked["parent_id_tag"]) == ("Blocked", "alice", "FLEET")
    cleared = (await operator.patch("/api/v1/tags/TAG1", json={"expiry_date": None, "owner": None})).json()
    assert (cleared["expiry_date"], cleared["owner"], cleared["status"]) == (None, None, "Blocked")
    assert (await operator.delete("/api/v1/tags/TAG1")).status_code == 204
    assert (await operator.get("/api/v1/tags/TAG1")).status_code == 404


async def test_duplicate_is_409_and_unknown_is_404(operator: httpx.AsyncClient) -> None:
    assert (await operator.post("/api/v1/tags", json={"id_tag": "T"})).status_code == 201
    again = await operator.post("/api/v1/tags", json={"id_tag": "T"})
    assert again.status_code == 409
    assert again.json()["error"] == "tag_exists"
    for response in (
        await operator.get("/api/v1/tags/NOPE"),
        await operator.patch("/api/v1/tags/NOPE", json={"status": "Blocked"}),
        await operator.delete("/api/v1/tags/NOPE"),
    ):
        assert response.status_code == 404
        assert response.json() == {"error": "tag_not_found", "detail": "unknown tag NOPE"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id_tag": "x" * 21}, "body.id_tag"),
        ({"id_tag": ""}, "body.id_tag"),
        ({"id_tag": "T", "status": "Maybe"}, "body.status"),
        ({"id_tag": "T", "parent_id_tag": "p" * 21}, "body.parent_id_tag"),
        ({"id_tag": "T", "expiry_date": "soon"}, "body.expiry_date"),
        ({"id_tag": "T", "colour": "red"}, "body.colour"),
    ],
)
async def test_bad_input_names_the_field(
    operator: httpx.AsyncClient, body: dict[str, str], field: str
) -> None:
    response = await operator.post("/api/v1/tags", json=body)
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == field


async def test_list_filters_and_pages(app: App, operator: httpx.AsyncClient) -> None:
    for n in range(3):
        await app.stores.id_tags.upsert(IdTag(f"A{n}", owner="alice"))
    await app.stores.id_tags.upsert(IdTag("B0", owner="bob"))
    page = (await operator.get("/api/v1/tags", params={"limit": 2})).json()
    assert [t["id_tag"] for t in page["items"]] == ["A0", "A1"]
    assert page["next_offset"] == 2
    bobs = (await operator.get("/api/v1/tags", params={"owner": "bob"})).json()
    assert [t["id_tag"] for t in bobs["items"]] == ["B0"]
    blocked = (await operator.get("/api/v1/tags", params={"status": "Blocked"})).json()
    assert blocked["items"] == []


async def test_driver_sees_only_own_tags_read_only(app: App, driver: httpx.AsyncClient) -> None:
    await app.stores.id_tags.upsert(IdTag("MINE", owner="alice"))
    await app.stores.id_tags.upsert(IdTag("THEIRS", owner="bob"))
    listed = (await driver.get("/api/v1/tags", params={"owner": "bob"})).json()
    assert [t["id_tag"] for t in listed["items"]] == ["MINE"]
    assert (await driver.get("/api/v1/tags/MINE")).status_code == 200
    assert (await driver.get("/api/v1/tags/THEIRS")).status_code == 404
    assert (await driver.post("/api/v1/tags", json={"id_tag": "NEW"})).status_code == 403
    assert (await driver.patch("/api/v1/tags/MINE", json={"status": "Accepted"})).status_code == 403
    assert (await driver.delete("/api/v1/tags/MINE")).status_code == 403


async def test_anonymous_is_401(anonymous: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/api/v1/tags")).status_code == 401
    assert (await anonymous.post("/api/v1/tags", json={"id_tag": "T"})).status_code == 401
    assert (await admin.post("/api/v1/tags", json={"id_tag": "T"})).status_code == 201

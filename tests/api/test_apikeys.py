"""API keys: admin-only create (secret shown once), list, show, revoke."""

from __future__ import annotations

import hashlib

import httpx

from csms.app import App
from csms.testing import api_client


async def test_create_returns_the_secret_once_and_stores_its_hash(
    app: App, admin: httpx.AsyncClient
) -> None:
    response = await admin.post(
        "/api/v1/api-keys", json={"role": "operator", "name": "night shift"}
    )
    assert response.status_code == 201
    body = response.json()
    secret = body["key"]
    assert secret.startswith("csms_")
    assert len(secret) == 5 + 43
    assert (body["role"], body["name"], body["revoked"]) == ("operator", "night shift", False)
    listed = (await admin.get("/api/v1/api-keys")).json()
    assert all("key" not in key for key in listed)
    stored = await app.services.accounts.get(body["id"])
    assert stored is not None
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    async with api_client(app, secret) as http:
        assert (await http.get("/api/v1/me")).json()["role"] == "operator"


async def test_driver_key_needs_an_owner(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/api/v1/api-keys", json={"role": "driver"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("body.owner")
    ok = await admin.post("/api/v1/api-keys", json={"role": "driver", "owner": "bob"})
    assert ok.json()["owner"] == "bob"


async def test_show_and_revoke(app: App, admin: httpx.AsyncClient) -> None:
    created = (await admin.post("/api/v1/api-keys", json={"role": "operator"})).json()
    path = f"/api/v1/api-keys/{created['id']}"
    assert (await admin.get(path)).json()["id"] == created["id"]
    assert (await admin.delete(path)).status_code == 204
    assert (await admin.get(path)).json()["revoked"] is True
    async with api_client(app, created["key"]) as http:
        assert (await http.get("/api/v1/me")).status_code == 401


async def test_unknown_key_id_is_404(admin: httpx.AsyncClient) -> None:
    for response in (await admin.get("/api/v1/api-keys/99"), await admin.delete("/api/v1/api-keys/99")):
        assert response.status_code == 404
        assert response.json() == {"error": "api_key_not_found", "detail": "unknown api key 99"}


async def test_only_admin_manages_keys(
    operator: httpx.AsyncClient, driver: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    for http, status in ((operator, 403), (driver, 403), (anonymous, 401)):
        assert (await http.get("/api/v1/api-keys")).status_code == status
        assert (await http.post("/api/v1/api-keys", json={"role": "admin"})).status_code == status
        assert (await http.get("/api/v1/api-keys/1")).status_code == status
        assert (await http.delete("/api/v1/api-keys/1")).status_code == status

"""Authentication, roles, the development mode and the JSON error shape."""

from __future__ import annotations

import httpx

from csms.app import App, build_app
from csms.settings import Settings
from csms.storage.memory import memory_stores
from csms.testing import FakeClock, api_client, issue_key


async def test_no_key_is_401_with_bearer_challenge(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "error": "unauthorized",
        "detail": "an API key is required: Authorization: Bearer <API key>",
    }


async def test_unknown_key_is_401(app: App) -> None:
    async with api_client(app, "csms_not-a-real-key") as http:
        response = await http.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert "invalid_token" in response.headers["WWW-Authenticate"]


async def test_basic_auth_is_not_an_api_key(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/api/v1/me", headers={"Authorization": "Basic YTpi"})
    assert response.status_code == 401


async def test_revoked_key_is_401(app: App) -> None:
    secret = await issue_key(app, "operator")
    async with api_client(app, secret) as http:
        assert (await http.get("/api/v1/me")).status_code == 200
        key_id = (await http.get("/api/v1/me")).json()["key_id"]
        assert await app.services.accounts.revoke(key_id)
        assert (await http.get("/api/v1/me")).status_code == 401


async def test_me_tells_role_and_owner(driver: httpx.AsyncClient) -> None:
    body = (await driver.get("/api/v1/me")).json()
    assert body["role"] == "driver"
    assert body["owner"] == "alice"


async def test_wrong_role_is_403(operator: httpx.AsyncClient, driver: httpx.AsyncClient) -> None:
    for http in (operator, driver):
        response = await http.get("/api/v1/api-keys")
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"


async def test_key_use_is_recorded(app: App, clock: FakeClock) -> None:
    secret = await issue_key(app, "admin")
    async with api_client(app, secret) as http:
        await http.get("/api/v1/me")
    (key,) = await app.services.accounts.all()
    assert key.last_used_at == clock.now()


async def test_unknown_route_and_wrong_method_are_json(admin: httpx.AsyncClient) -> None:
    missing = await admin.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    wrong = await admin.put("/api/v1/me")
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method_not_allowed"


async def test_validation_error_names_the_field(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/api/v1/api-keys", json={"role": "king"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["detail"].startswith("body.role:")
    assert body["fields"][0]["field"] == "body.role"


async def test_malformed_json_is_422(admin: httpx.AsyncClient) -> None:
    response = await admin.post(
        "/api/v1/api-keys", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


async def _open_app() -> App:
    clock = FakeClock()
    settings = Settings(api_open_on_localhost=True)
    return await build_app(settings, clock=clock, stores=memory_stores(clock.now))


async def test_open_on_localhost_admits_loopback_without_key() -> None:
    app = await _open_app()
    async with api_client(app) as http:
        body = (await http.get("/api/v1/me")).json()
    assert body == {"role": "admin", "key_id": None, "name": body["name"], "owner": None}
    async with api_client(app, client=("::1", 4000)) as http:
        assert (await http.get("/api/v1/api-keys")).status_code == 200


async def test_open_on_localhost_still_refuses_remote_and_bad_keys() -> None:
    app = await _open_app()
    async with api_client(app, client=("10.1.2.3", 4000)) as http:
        assert (await http.get("/api/v1/me")).status_code == 401
    async with api_client(app, "csms_wrong") as http:
        assert (await http.get("/api/v1/me")).status_code == 401


async def test_open_on_localhost_is_off_by_default(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/api/v1/me")).status_code == 401


async def test_openapi_documents_the_api(anonymous: httpx.AsyncClient) -> None:
    schema = (await anonymous.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    me = schema["paths"]["/api/v1/me"]["get"]
    assert {"401", "403"} <= set(me["responses"])
    assert (await anonymous.get("/docs")).status_code == 200


async def test_openapi_documents_every_error_with_the_json_shape(anonymous: httpx.AsyncClient) -> None:
    schema = (await anonymous.get("/openapi.json")).json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorBody"), (method, path, status)
            if path.startswith("/api/v1"):
                assert "401" in operation["responses"], (method, path)

"""Signing in and out of the dashboard and the app: cookies, CSRF, throttling, roles."""

from __future__ import annotations

import httpx

from csms.domain.operations import Role
from csms.web import Web
from tests.web.conftest import PASSWORD, csrf_of, sign_in


async def test_pages_send_strangers_to_the_sign_in_page(anonymous_client: httpx.AsyncClient) -> None:
    response = await anonymous_client.get("/stations?q=CP")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fstations%3Fq%3DCP"
    app_page = await anonymous_client.get("/app/orders")
    assert app_page.headers["location"].startswith("/app/login?next=")


async def test_sign_in_sets_an_http_only_same_site_session_cookie(
    anonymous_client: httpx.AsyncClient, web: Web
) -> None:
    await web.users.create("olivia@example.com", Role.OPERATOR, PASSWORD)
    page = await anonymous_client.get("/login?next=/stations")
    assert page.status_code == 200
    response = await anonymous_client.post(
        "/login",
        data={"email": "olivia@example.com", "password": PASSWORD, "csrf": csrf_of(page.text), "next": "/stations"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/stations"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("csms_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; set over https
    assert (await anonymous_client.get("/")).status_code == 200


async def test_session_cookie_is_secure_over_https(web: Web, anonymous_client: httpx.AsyncClient) -> None:
    await web.users.create("olivia@example.com", Role.OPERATOR, PASSWORD)
    page = await anonymous_client.get("/login")
    response = await anonymous_client.post(
        "/login",
        data={"email": "olivia@example.com", "password": PASSWORD, "csrf": csrf_of(page.text)},
        headers={"X-Forwarded-Proto": "https"},
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("csms_session="))
    assert "Secure" in cookie


async def test_sign_in_without_the_form_token_is_refused(
    anonymous_client: httpx.AsyncClient, web: Web
) -> None:
    await web.users.create("olivia@example.com", Role.OPERATOR, PASSWORD)
    await anonymous_client.get("/login")
    response = await anonymous_client.post(
        "/login", data={"email": "olivia@example.com", "password": PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 403
    assert "csms_session" not in response.headers.get("set-cookie", "")


async def test_wrong_password_then_throttled(anonymous_client: httpx.AsyncClient, web: Web) -> None:
    await web.users.create("olivia@example.com", Role.OPERATOR, PASSWORD)
    for _ in range(5):
        response = await sign_in(anonymous_client, "olivia@example.com", "wrong password")
        assert response.status_code == 401
        assert "Wrong e-mail address or password." in response.text
    response = await sign_in(anonymous_client, "olivia@example.com")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text


async def test_posts_of_signed_in_pages_need_the_session_csrf_token(
    staff_client: httpx.AsyncClient,
) -> None:
    refused = await staff_client.post("/logout", data={"csrf": "forged"})
    assert refused.status_code == 403
    page = await staff_client.get("/")
    response = await staff_client.post("/logout", data={"csrf": csrf_of(page.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert (await staff_client.get("/")).status_code == 303


async def test_drivers_and_operators_each_sign_in_to_their_own_area(
    anonymous_client: httpx.AsyncClient, web: Web
) -> None:
    await web.users.create("alice@example.com", Role.DRIVER, PASSWORD, driver_id="alice")
    refused = await sign_in(anonymous_client, "alice@example.com")
    assert refused.status_code == 403
    assert "driver app" in refused.text
    accepted = await sign_in(anonymous_client, "alice@example.com", area="/app")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/app"
    assert (await anonymous_client.get("/")).headers["location"] == "/app"


async def test_after_sign_in_only_local_paths_are_followed(
    anonymous_client: httpx.AsyncClient, web: Web
) -> None:
    await web.users.create("olivia@example.com", Role.OPERATOR, PASSWORD)
    page = await anonymous_client.get("/login")
    response = await anonymous_client.post(
        "/login",
        data={"email": "olivia@example.com", "password": PASSWORD, "csrf": csrf_of(page.text), "next": "//evil.example/"},
    )
    assert response.headers["location"] == "/"


async def test_api_docs_health_and_metrics_still_answer(anonymous_client: httpx.AsyncClient) -> None:
    assert (await anonymous_client.get("/health")).status_code == 200
    assert (await anonymous_client.get("/docs")).status_code == 200
    assert (await anonymous_client.get("/metrics")).status_code == 200
    assert (await anonymous_client.get("/api/v1/me")).status_code == 401
    assert (await anonymous_client.get("/static/csms.css")).status_code == 200


async def test_admins_manage_accounts_and_operators_may_not(
    admin_client: httpx.AsyncClient, staff_client: httpx.AsyncClient, web: Web
) -> None:
    assert (await staff_client.get("/users")).status_code == 403
    page = await admin_client.get("/users")
    created = await admin_client.post(
        "/users",
        data={"csrf": csrf_of(page.text), "email": "bob@example.com", "role": "driver",
              "password": "long enough", "driver_id": "bob"},
        follow_redirects=True,
    )
    assert "Account bob@example.com created." in created.text
    bob = await web.users.by_email("bob@example.com")
    assert bob is not None
    assert bob.driver_id == "bob"
    await admin_client.post(f"/users/{bob.id}/disabled", data={"csrf": csrf_of(page.text), "disabled": "1"})
    assert await web.users.sign_in("bob@example.com", "long enough", "c") is None

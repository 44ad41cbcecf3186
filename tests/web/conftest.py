"""The web pages through an in-process ASGI client, over in-memory stores and a fake clock.

``staff_client`` is signed in as an operator, ``admin_client`` as an admin,
``driver_client`` as driver ``alice``; ``anonymous_client`` is not signed in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from csms.app import App, build_app
from csms.domain.operations import Role
from csms.settings import Settings
from csms.storage.memory import memory_stores
from csms.testing import FakeClock
from csms.web import Web

PASSWORD = "correct horse"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app(clock: FakeClock) -> App:
    return await build_app(Settings(), clock=clock, stores=memory_stores(clock.now))


@pytest.fixture
def web(app: App) -> Web:
    found: Web = app.api.state.web
    return found


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no csrf field on the page"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD, area: str = "") -> httpx.Response:
    page = await http.get(f"{area}/login")
    return await http.post(
        f"{area}/login",
        data={"email": email, "password": password, "csrf": csrf_of(page.text), "next": ""},
    )


def client(app: App) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app.api, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://csms")


@pytest.fixture
async def anonymous_client(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with client(app) as http:
        yield http


async def _signed(app: App, web: Web, role: Role, email: str, area: str = "", **extra: str) -> httpx.AsyncClient:
    await web.users.create(email, role, PASSWORD, **extra)
    http = client(app)
    response = await sign_in(http, email, area=area)
    assert response.status_code == 303, response.text
    return http


@pytest.fixture
async def staff_client(app: App, web: Web) -> AsyncIterator[httpx.AsyncClient]:
    http = await _signed(app, web, Role.OPERATOR, "olivia@example.com", name="Olivia")
    yield http
    await http.aclose()


@pytest.fixture
async def admin_client(app: App, web: Web) -> AsyncIterator[httpx.AsyncClient]:
    http = await _signed(app, web, Role.ADMIN, "ada@example.com")
    yield http
    await http.aclose()


@pytest.fixture
async def driver_client(app: App, web: Web) -> AsyncIterator[httpx.AsyncClient]:
    http = await _signed(app, web, Role.DRIVER, "alice@example.com", "/app", driver_id="alice")
    yield http
    await http.aclose()

"""Mount the web pages on the HTTP application (see :mod:`csms.web`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from csms.services.users import UserService
from csms.storage.memory_users import MemoryUserStore
from csms.storage.sql.users import SqlUserStore
from csms.storage.users import UserStore
from csms.web.context import Web
from csms.web.errors import Forbidden, PageNotFound, Redirect
from csms.web.render import Pages
from csms.web.routes import web_routers

if TYPE_CHECKING:
    from csms.app import App

STATIC = Path(__file__).resolve().parent / "static"


def site_zone(app: App) -> ZoneInfo:
    """The time zone pages show times in (storage is UTC): the ``time_zone`` setting."""
    return ZoneInfo(app.settings.time_zone)


def user_store(app: App) -> UserStore:
    """Web accounts live in csms's database (in memory when csms runs on memory stores)."""
    return SqlUserStore(app.engine) if app.engine is not None else MemoryUserStore()


def mount_web(api: FastAPI, app: App) -> Web:
    """Add the dashboard, the driver app and ``/static`` to ``api``."""
    zone = site_zone(app)
    web = Web(app, UserService(user_store(app), app.services.clock), Pages(zone), zone)
    api.state.web = web
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in web_routers():
        api.include_router(router, include_in_schema=False)

    @api.exception_handler(Redirect)
    async def redirect(_request: Request, error: Redirect) -> Response:
        return RedirectResponse(error.location, status_code=303)

    @api.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> HTMLResponse:
        message = web.pages.text(request, error.reason)
        return web.pages.render(request, "error.html", {"message": message}, status=403)

    @api.exception_handler(PageNotFound)
    async def not_found(request: Request, error: PageNotFound) -> HTMLResponse:
        message = web.pages.text(request, "Not found: %(what)s", what=error.what)
        title = web.pages.text(request, "Not found")
        return web.pages.render(request, "error.html", {"message": message, "title": title}, status=404)

    return web

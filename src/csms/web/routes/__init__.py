"""Page routers of the dashboard and the driver app, in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from csms.web.routes import (
    account,
    driver_app,
    live,
    overview,
    reservations,
    sessions,
    stations,
    tags,
)


def web_routers() -> list[APIRouter]:
    return [account.router, live.router, overview.router, stations.router, sessions.router, tags.router,
            reservations.router, driver_app.router]


__all__ = ["web_routers"]

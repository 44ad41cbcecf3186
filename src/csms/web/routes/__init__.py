"""Page routers of the dashboard and the driver app, in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from csms.web.routes import (
    account,
    accounts,
    driver_app,
    drivers,
    live,
    orders,
    overview,
    reservations,
    sessions,
    stations,
    tags,
    tariffs,
)


def web_routers() -> list[APIRouter]:
    return [account.router, live.router, overview.router, stations.router, sessions.router, orders.router, tags.router,
            drivers.router, tariffs.router,
            reservations.router, accounts.router, driver_app.router]


__all__ = ["web_routers"]

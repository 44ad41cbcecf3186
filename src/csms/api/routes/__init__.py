"""Every router of the REST API, mounted under ``/api/v1`` by :func:`api_router`.

A resource = a module here with ``router = APIRouter(tags=[...])`` (paths relative to
``/api/v1``), listed in :data:`_MODULES`."""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter, FastAPI

from csms.api.routes import (
    apikeys,
    commands,
    driver,
    drivers,
    events,
    local_lists,
    messages,
    orders,
    reservations,
    stations,
    tags,
    tariffs,
    transactions,
    wallets,
)

API_PREFIX = "/api/v1"

_MODULES: tuple[ModuleType, ...] = (stations, messages, tags, transactions, apikeys)
_MODULES += (commands, reservations, local_lists, driver, events)  # operations (part B)
_MODULES += (tariffs, drivers, wallets, orders)  # billing (issue 5)


def include_routes(api: FastAPI) -> None:
    """Every resource under ``/api/v1``, included straight into ``api`` (nesting routers
    would build every route twice, which costs at each ``build_app``)."""
    for module in _MODULES:
        router: APIRouter = module.router
        api.include_router(router, prefix=API_PREFIX)


def api_router() -> APIRouter:
    """One router with every resource under ``/api/v1``."""
    root = APIRouter(prefix=API_PREFIX)
    for module in _MODULES:
        router: APIRouter = module.router
        root.include_router(router)
    return root


__all__ = ["API_PREFIX", "api_router", "include_routes"]

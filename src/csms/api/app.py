"""The FastAPI application: health, metrics and the REST API under ``/api/v1``.

Routes are thin: they check the caller's role, call one service and convert the result
to a ``*Public`` model. They reach the wired App through ``api.state.csms``
(:mod:`csms.api.deps`), never through a global, and never run SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from csms.api.errors import install_error_handlers
from csms.api.ocpp_schemas import install_ocpp_schemas
from csms.api.routes import include_routes
from csms.web import mount_web

if TYPE_CHECKING:
    from csms.app import App

_log = structlog.get_logger("csms.api")

DESCRIPTION = """
The REST API of csms, an OCPP Charging Station Management System.

**Authentication.** Every `/api/v1` call needs an API key:
`Authorization: Bearer csms_...`. Create one with
`csms apikeys create --role admin` (it is printed once), then use **Authorize** above.
Roles: `admin` (everything, API keys included), `operator` (stations, tags,
transactions, commands, message logs), `driver` (their own tags and transactions —
tags whose `owner` is the key's owner — and the stations, read-only).
No or unknown key → 401, a role that may not → 403.

**Errors** are always JSON `{"error": code, "detail": text}` with the HTTP status:
400/422 bad input (`fields` lists each invalid field), 404 unknown resource,
409 conflict (exists already, station offline or busy), 502 the station answered with a
CallError (`station_error_code`, `station_error_description`), 504 the station did not
answer in time.

**Lists** are paged with `limit` and `offset`; the answer's `next_offset` is null on the
last page. Times are ISO 8601 in UTC.
"""

TAGS = [
    {"name": "Stations", "description": "Charging stations: registration, live state, message log."},
    {"name": "Id tags", "description": "RFID cards and app tokens that may charge."},
    {"name": "Transactions", "description": "Charging sessions with meter values; CSV export."},
    {"name": "Commands", "description": "OCPP calls to a station, answered with its own reply."},
    {"name": "Reservations", "description": "ReserveNow / CancelReservation."},
    {"name": "Local lists", "description": "Local authorization lists per station."},
    {"name": "Events", "description": "Live events as Server-Sent Events."},
    {"name": "Driver", "description": "Start and stop charging without OCPP details."},
    {"name": "API keys", "description": "Who may call this API (admin only, except `/me`)."},
    {"name": "System", "description": "Liveness and metrics."},
]


def create_api(app: App) -> FastAPI:
    """The HTTP application over the wired services (never SQL in a route)."""
    api = FastAPI(
        title="csms",
        version="0.1.0",
        summary="OCPP Charging Station Management System",
        description=DESCRIPTION,
        openapi_tags=TAGS,
    )
    api.state.csms = app
    install_error_handlers(api)
    include_routes(api)
    install_ocpp_schemas(api)  # the OCPP 1.6J schemas the command endpoints refer to
    if app.settings.api_open_on_localhost:
        _log.warning(
            "api.OPEN_ON_LOCALHOST",
            message="DEVELOPMENT MODE: every API request from 127.0.0.1/::1 without a key "
            "is treated as ADMIN. Never enable api_open_on_localhost in production or "
            "behind a reverse proxy on the same host.",
        )

    @api.get("/health", tags=["System"], summary="Liveness")
    async def health() -> dict[str, object]:
        """Liveness: the process answers and how many stations are connected."""
        return {"status": "ok", "stations_connected": len(app.gateway.connected())}

    @api.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    mount_web(api, app)  # the dashboard at /, the driver app at /app, /static
    return api

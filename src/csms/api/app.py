"""The FastAPI application: health and metrics now; the REST API grows here (``/api/v1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from csms.app import App


def create_api(app: App) -> FastAPI:
    """The HTTP application over the wired services (never SQL in a route)."""
    api = FastAPI(title="csms", version="0.1.0", summary="OCPP Charging Station Management System")

    @api.get("/health")
    async def health() -> dict[str, object]:
        """Liveness: the process answers and how many stations are connected."""
        return {"status": "ok", "stations_connected": len(app.gateway.connected())}

    @api.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return api

"""Live updates as Server-Sent Events, for the pages' own script (``static/csms.js``):
each event of the bus becomes one ``data:`` line; pages re-fetch the parts it concerns.

Staff get every event (of one station with ``?station=``); a driver gets only the
events of the station they look at and of their own sessions, stripped to type and ids.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from csms.services.events import Event
from csms.web.auth import DriverViewer, Staff
from csms.web.context import Web, WebDep

router = APIRouter()
KEEPALIVE = 15.0
_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def _stream(
    web: Web, stations: set[str] | None, shape: Callable[[Event], dict[str, Any] | None]
) -> StreamingResponse:
    async def lines() -> AsyncIterator[str]:
        with web.services.events.subscribe(stations or None) as subscription:
            yield "retry: 2000\n\n"
            while True:
                event = await subscription.next(KEEPALIVE)
                if event is None:
                    if subscription.closed:
                        return
                    yield ": keepalive\n\n"
                    continue
                data = shape(event)
                if data is not None:
                    yield f"id: {event.id}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"

    return StreamingResponse(lines(), media_type="text/event-stream", headers=_HEADERS)


@router.get("/live")
async def live(request: Request, web: WebDep, _viewer: Staff) -> StreamingResponse:
    station = request.query_params.get("station")
    return _stream(web, {station} if station else None, lambda event: event.as_json())


@router.get("/app/live")
async def app_live(request: Request, web: WebDep, _viewer: DriverViewer) -> StreamingResponse:
    """Events of one station (``?station=``), reduced to what a driver's page needs."""
    station = request.query_params.get("station") or ""

    def shape(event: Event) -> dict[str, Any] | None:
        return {"type": event.type.value, "station_id": event.station_id}

    return _stream(web, {station}, shape)

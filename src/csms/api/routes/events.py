"""Live events as Server-Sent Events (``text/event-stream``).

Each event is sent as::

    id: 42
    event: transaction.updated
    data: {"id": 42, "type": "transaction.updated", "station_id": "CP1", "at": "...", "data": {...}}

Types: station.connected, station.disconnected, status.changed, transaction.started,
transaction.updated (with the meter values just received), transaction.stopped (with the
energy), command.answered, command.failed, reservation.changed. A comment line keeps
idle connections open; a reader too slow to keep up loses events and is told so by a
``dropped`` event with the count. Past events are not replayed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from csms.api.auth import StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import error_responses
from csms.services.events import Event, EventType, Subscription

router = APIRouter(tags=["Events"], responses=error_responses(401, 403))

KEEPALIVE_SECONDS = 15.0


def sse(event: Event) -> bytes:
    data = json.dumps(event.as_json(), separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.type.value}\ndata: {data}\n\n".encode()


async def stream(subscription: Subscription, keepalive: float = KEEPALIVE_SECONDS) -> AsyncIterator[bytes]:
    """The subscription as SSE bytes, until it closes (shutdown) or the client leaves."""
    reported = 0
    try:
        yield b"retry: 3000\n: connected\n\n"
        while not subscription.closed:
            event = await subscription.next(keepalive)
            if subscription.dropped > reported:
                reported = subscription.dropped
                yield f"event: dropped\ndata: {json.dumps({'dropped': reported})}\n\n".encode()
            yield sse(event) if event is not None else b": keep-alive\n\n"
    finally:
        subscription.close()


@router.get(
    "/events",
    summary="Live events (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={200: {"description": "an endless `text/event-stream`", "content": {"text/event-stream": {}}}},
)
async def events(
    _caller: StaffKey,
    services: ServicesDep,
    station: Annotated[
        list[str] | None, Query(description="only these stations' events (repeat the parameter)")
    ] = None,
    type: Annotated[
        list[EventType] | None, Query(description="only these event types (repeat the parameter)")
    ] = None,
) -> StreamingResponse:
    """Subscribe with `curl -N -H 'Authorization: Bearer …' …/api/v1/events?station=CP001`
    or `new EventSource(...)` behind a proxy that adds the key."""
    subscription = services.events.subscribe(station, type)
    return StreamingResponse(
        stream(subscription),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

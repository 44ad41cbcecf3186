"""The per-station OCPP message log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from csms.api.auth import StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import error_responses, not_found
from csms.api.models.common import Page, PagingDep
from csms.api.models.messages import MessagePublic
from csms.domain import Direction
from csms.services import as_utc

router = APIRouter(tags=["Stations"], responses=error_responses(401, 403))


@router.get(
    "/stations/{station_id}/messages",
    summary="A station's OCPP message log",
    response_model=Page[MessagePublic],
    responses=error_responses(404, 422),
)
async def station_messages(
    station_id: str,
    _caller: StaffKey,
    services: ServicesDep,
    paging: PagingDep,
    action: Annotated[str | None, Query(description="OCPP action", examples=["MeterValues"])] = None,
    direction: Annotated[Direction | None, Query(description="`in` or `out`")] = None,
    since: Annotated[datetime | None, Query(description="at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="before (ISO 8601)")] = None,
) -> Page[MessagePublic]:
    """Every OCPP-J frame to and from the station, newest first (kept for
    `message_log_retention_days`). Times without an offset are read as UTC."""
    if await services.stations.get(station_id) is None:
        raise not_found("station", station_id)
    messages = await services.message_log.search(
        station_id,
        limit=paging.fetch,
        offset=paging.offset,
        action=action,
        direction=direction,
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
    )
    return paging.page(messages, MessagePublic.of)

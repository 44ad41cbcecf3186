"""Local authorization lists per station (OCPP 1.6 §3.5.3): the list and version csms
holds, pushing it Full or Differential (SendLocalList), the station's own version
(GetLocalListVersion)."""

from __future__ import annotations

from fastapi import APIRouter

from csms.api.auth import StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import error_responses
from csms.api.models.operations import (
    LocalListPublic,
    LocalListPush,
    LocalListPushed,
    LocalListVersion,
)
from csms.api.operation_errors import operation_errors
from csms.api.routes.commands import StationId, Timeout, known_station

router = APIRouter(
    prefix="/stations/{station_id}/local-list",
    tags=["Local lists"],
    responses=error_responses(401, 403, 404),
)


@router.get("", summary="The local list csms holds", response_model=LocalListPublic)
async def held_list(station_id: StationId, _caller: StaffKey, services: ServicesDep) -> LocalListPublic:
    """The list and version the station last accepted from csms (or last reported)."""
    await known_station(services, station_id)
    return LocalListPublic.of(station_id, await services.local_lists.held(station_id))


@router.post(
    "",
    summary="Push the local list (SendLocalList)",
    response_model=LocalListPushed,
    responses=error_responses(409, 422, 502, 504),
)
async def push_list(
    station_id: StationId,
    body: LocalListPush,
    _caller: StaffKey,
    services: ServicesDep,
    timeout: Timeout = None,
) -> LocalListPushed:
    """Sends SendLocalList (OCPP 1.6 §5.15) with the `entries` given or, by default, a
    list built from csms's id tags; answers the station's status and what csms now holds
    (it changes only when the station answers Accepted)."""
    await known_station(services, station_id)
    entries = [e.entry() for e in body.entries] if body.entries is not None else None
    with operation_errors():
        pushed = await services.local_lists.push(
            station_id, body.update_type, entries, list_version=body.list_version, timeout=timeout
        )
    return LocalListPushed.of(station_id, pushed)


@router.get(
    "/version",
    summary="Ask the station for its list version (GetLocalListVersion)",
    response_model=LocalListVersion,
    responses=error_responses(409, 502, 504),
)
async def station_version(
    station_id: StationId, _caller: StaffKey, services: ServicesDep, timeout: Timeout = None
) -> LocalListVersion:
    """Sends GetLocalListVersion (OCPP 1.6 §5.10); 0 means an empty list, -1 no support."""
    await known_station(services, station_id)
    with operation_errors():
        version = await services.local_lists.fetch_version(station_id, timeout=timeout)
    return LocalListVersion(station_id=station_id, list_version=version)

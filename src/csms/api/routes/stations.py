"""Stations: list, detail, register, change, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from csms.api.auth import AnyKey, StaffKey
from csms.api.deps import GatewayDep, PresenceDep, ServicesDep
from csms.api.errors import conflict, error_responses, not_found
from csms.api.models.common import Page, PagingDep
from csms.api.models.stations import StationCreate, StationDetail, StationPublic, StationUpdate
from csms.domain import RegistrationStatus
from csms.services.station_views import StationFilter
from csms.services.unchanged import UNCHANGED
from csms.storage import StationExists, StationNotFound

router = APIRouter(prefix="/stations", tags=["Stations"], responses=error_responses(401, 403))


@router.get("", summary="List stations", response_model=Page[StationPublic], responses=error_responses(422))
async def list_stations(
    _caller: AnyKey,
    services: ServicesDep,
    presence: PresenceDep,
    paging: PagingDep,
    status: Annotated[RegistrationStatus | None, Query(description="registration status")] = None,
    online: Annotated[bool | None, Query(description="connected now (true) or not (false)")] = None,
    vendor: Annotated[str | None, Query(description="vendor, case-insensitive")] = None,
) -> Page[StationPublic]:
    """Registered stations ordered by id, with whether each is connected now."""
    views = await services.queries.stations.search(
        StationFilter(status, online, vendor), presence, limit=paging.fetch, offset=paging.offset
    )
    return paging.page(views, StationPublic.of)


@router.post(
    "",
    summary="Register a station",
    status_code=201,
    response_model=StationDetail,
    responses=error_responses(409, 422),
)
async def create_station(
    body: StationCreate, _caller: StaffKey, services: ServicesDep, presence: PresenceDep
) -> StationDetail:
    """Register a station so that it may connect at `ws(s)://host/ocpp/{id}` (at once:
    no restart). With a `password` it must authenticate with HTTP Basic (user = its id)."""
    try:
        await services.stations.add(body.id, body.password, lenient=body.lenient)
    except StationExists:
        raise conflict("station_exists", f"station {body.id} exists already") from None
    if body.registration_status is not RegistrationStatus.ACCEPTED:
        await services.stations.update(body.id, registration_status=body.registration_status)
    return await _detail(services, presence, body.id, with_state=True)


@router.get(
    "/{station_id}",
    summary="Show a station",
    response_model=StationDetail,
    responses=error_responses(404),
)
async def get_station(
    station_id: str, caller: AnyKey, services: ServicesDep, presence: PresenceDep
) -> StationDetail:
    """Boot data, connectors with their live status, last seen, online since, firmware, and
    (not for driver keys) the configuration cache and availability."""
    return await _detail(services, presence, station_id, with_state=not caller.is_driver)


@router.patch(
    "/{station_id}",
    summary="Change a station",
    response_model=StationDetail,
    responses=error_responses(404, 422),
)
async def update_station(
    station_id: str,
    body: StationUpdate,
    _caller: StaffKey,
    services: ServicesDep,
    presence: PresenceDep,
) -> StationDetail:
    """Set or remove the password, lenient mode, or the registration status (its next
    BootNotification gets it; `Rejected` stations may not send anything else)."""
    try:
        await services.stations.update(
            station_id,
            password=body.password if "password" in body.model_fields_set else UNCHANGED,
            lenient=body.lenient,
            registration_status=body.registration_status,
        )
    except StationNotFound:
        raise not_found("station", station_id) from None
    return await _detail(services, presence, station_id, with_state=True)


@router.delete(
    "/{station_id}",
    summary="Delete a station",
    status_code=204,
    response_class=Response,
    responses=error_responses(404),
)
async def delete_station(
    station_id: str, _caller: StaffKey, services: ServicesDep, gateway: GatewayDep
) -> None:
    """It may no longer connect (an open connection is closed); its transactions and
    message log stay."""
    if not await services.stations.delete(station_id):
        raise not_found("station", station_id)
    gateway.disconnect(station_id, "station deleted")


async def _detail(
    services: ServicesDep, presence: PresenceDep, station_id: str, *, with_state: bool
) -> StationDetail:
    view = await services.queries.stations.detail(station_id, presence, with_state=with_state)
    if view is None:
        raise not_found("station", station_id)
    return StationDetail.of_view(view, with_state=with_state)

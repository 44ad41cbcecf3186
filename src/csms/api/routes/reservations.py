"""Reservations: ReserveNow with a csms-assigned id, CancelReservation, the list.

A reservation is stored Pending, then Active when the station accepts it, Rejected when
it does not (or the call fails); Expired after its expiry date (enforced in the
background), Used once a StartTransaction carries its id, Cancelled when cancelled.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from csms.api.auth import StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import error_responses
from csms.api.models.common import Page, PagingDep
from csms.api.models.operations import CancelResult, ReservationCreate, ReservationPublic
from csms.api.operation_errors import operation_errors
from csms.api.routes.commands import Timeout, known_station
from csms.domain.operations import ReservationStatus
from csms.services import as_utc

router = APIRouter(prefix="/reservations", tags=["Reservations"], responses=error_responses(401, 403))

ReservationId = Annotated[int, Path(description="the reservation's id (its OCPP reservationId)")]


@router.post(
    "",
    summary="Reserve a connector (ReserveNow)",
    status_code=201,
    response_model=ReservationPublic,
    responses=error_responses(404, 409, 422, 502, 504),
)
async def create_reservation(
    body: ReservationCreate, _caller: StaffKey, services: ServicesDep, timeout: Timeout = None
) -> ReservationPublic:
    """Sends ReserveNow (OCPP 1.6 §5.13) with a reservationId csms assigns and answers
    the stored reservation: `status` Active when the station accepted, Rejected with
    `station_answer` (Faulted, Occupied, Rejected, Unavailable) when not."""
    await known_station(services, body.station_id)
    with operation_errors():
        reservation = await services.reservations.create(
            body.station_id,
            body.connector_id,
            body.id_tag,
            as_utc(body.expiry_date),
            parent_id_tag=body.parent_id_tag,
            timeout=timeout,
        )
    return ReservationPublic.of(reservation)


@router.get(
    "", summary="List reservations", response_model=Page[ReservationPublic], responses=error_responses(422)
)
async def list_reservations(
    _caller: StaffKey,
    services: ServicesDep,
    paging: PagingDep,
    station_id: Annotated[str | None, Query(description="only this station's")] = None,
    status: Annotated[ReservationStatus | None, Query()] = None,
) -> Page[ReservationPublic]:
    """Newest first."""
    found = await services.reservations.search(station_id, status, paging.fetch, paging.offset)
    return paging.page(found, ReservationPublic.of)


@router.get(
    "/{reservation_id}",
    summary="One reservation",
    response_model=ReservationPublic,
    responses=error_responses(404),
)
async def get_reservation(
    reservation_id: ReservationId, _caller: StaffKey, services: ServicesDep
) -> ReservationPublic:
    with operation_errors():
        return ReservationPublic.of(await services.reservations.get(reservation_id))


@router.post(
    "/{reservation_id}/cancel",
    summary="Cancel a reservation (CancelReservation)",
    response_model=CancelResult,
    responses=error_responses(404, 409, 502, 504),
)
async def cancel_reservation(
    reservation_id: ReservationId, _caller: StaffKey, services: ServicesDep, timeout: Timeout = None
) -> CancelResult:
    """Sends CancelReservation (OCPP 1.6 §5.1) for a Pending or Active reservation (409
    otherwise); Accepted marks it Cancelled, Rejected leaves it as it was."""
    with operation_errors():
        cancelled = await services.reservations.cancel(reservation_id, timeout=timeout)
    return CancelResult(status=cancelled.status, reservation=ReservationPublic.of(cancelled.reservation))

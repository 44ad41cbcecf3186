"""Reservations: the list (station and status filters, paging), reserve, cancel."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csms.domain.operations import ReservationStatus
from csms.gateway import CommandError
from csms.services.reservations import ReservationError
from csms.web.auth import Form, Staff
from csms.web.context import WebDep
from csms.web.flash import remember
from csms.web.paging import Page, PageRequest

router = APIRouter()
STATUSES = [s.value for s in ReservationStatus]


@router.get("/reservations", response_class=HTMLResponse)
async def reservations(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    wanted = PageRequest.of(request)
    status = request.query_params.get("status", "")
    found = await web.services.reservations.search(
        request.query_params.get("station") or None,
        ReservationStatus(status) if status in STATUSES else None,
        wanted.fetch,
        wanted.offset,
    )
    return web.pages.render(
        request,
        "reservations.html",
        {"section": "reservations", "page": Page.of(found, wanted), "statuses": STATUSES},
    )


@router.post("/reservations")
async def reserve(request: Request, web: WebDep, _viewer: Staff, form: Form) -> Response:
    response = RedirectResponse("/reservations", 303)
    try:
        connector = int(form.get("connector", ""))
        expiry = datetime.fromisoformat(form.get("expiry", "")).replace(tzinfo=web.zone)
        station, tag = form["station"].strip(), form["id_tag"].strip()
    except (KeyError, ValueError):
        return remember(response, request, "Invalid input", "error")
    try:
        made = await web.services.reservations.create(station, connector, tag, expiry)
    except (CommandError, ReservationError) as error:
        return remember(response, request, "The reservation failed: %(why)s", "error", why=str(error) or type(error).__name__)
    return remember(
        response, request, "Reservation %(id)s: the station answered %(answer)s.",
        id=made.id, answer=made.station_answer or "",
    )


@router.post("/reservations/{reservation_id}/cancel")
async def cancel(reservation_id: int, request: Request, web: WebDep, _viewer: Staff, _form: Form) -> Response:
    response = RedirectResponse("/reservations", 303)
    try:
        cancelled = await web.services.reservations.cancel(reservation_id)
    except (CommandError, ReservationError) as error:
        return remember(response, request, "The reservation failed: %(why)s", "error", why=str(error) or type(error).__name__)
    return remember(
        response, request, "Reservation %(id)s: the station answered %(answer)s.",
        id=reservation_id, answer=cancelled.status,
    )

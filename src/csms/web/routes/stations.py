"""Stations: the list (search, filters, paging) and the detail page with live connectors,
boot information, configuration, the OCPP message log and every command."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from csms.domain import OcppMessage, StatusEvent, TransactionState
from csms.domain.operations import ReservationStatus
from csms.services.station_views import StationFilter, StationView
from csms.services.transaction_views import TransactionQuery
from csms.web.auth import Form, Staff
from csms.web.commands import form_of, ordered_actions, run
from csms.web.context import Web, WebDep
from csms.web.errors import PageNotFound
from csms.web.overview import is_fault
from csms.web.paging import Page, PageRequest
from csms.web.routes.overview import overview_builder

router = APIRouter()
STATES = ("online", "offline", "faulted")
LOG_ACTIONS = (
    "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "StartTransaction",
    "MeterValues", "StopTransaction", "DataTransfer", "FirmwareStatusNotification",
    "DiagnosticsStatusNotification", *ordered_actions(),
)
STATION_EVENTS = "station.connected station.disconnected status.changed transaction.started transaction.updated transaction.stopped command.answered reservation.changed"


@dataclass(frozen=True, slots=True)
class Row:
    view: StationView
    connectors: list[StatusEvent]

    @property
    def faulted(self) -> bool:
        return any(is_fault(c) for c in self.connectors)


@router.get("/stations", response_class=HTMLResponse)
async def stations(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    q = request.query_params.get("q", "").strip()
    state = request.query_params.get("state", "")
    wanted = PageRequest.of(request)
    online = {"online": True, "offline": False}.get(state)
    views = await web.services.queries.stations.search(
        StationFilter(online=online), web.presence, limit=10**9
    )
    if q:
        needle = q.casefold()
        views = [v for v in views if needle in _haystack(v)]
    if state == "faulted":
        faulted = (await overview_builder(request, web).get()).faulted_ids
        views = [v for v in views if v.station.id in faulted]
    chosen = views[wanted.offset : wanted.offset + wanted.fetch]
    rows = [Row(v, await web.services.statuses.current(v.station.id)) for v in chosen]
    return web.pages.render(
        request,
        "stations.html",
        {"section": "stations", "page": Page.of(rows, wanted), "q": q, "state": state,
         "states": STATES, "total": len(views)},
    )


def _haystack(view: StationView) -> str:
    s = view.station
    return " ".join(x for x in (s.id, s.vendor, s.model, s.serial_number, s.firmware_version) if x).casefold()


async def _detail(web: Web, station_id: str) -> StationView:
    view = await web.services.queries.stations.detail(station_id, web.presence)
    if view is None:
        raise PageNotFound(station_id)
    return view


async def _connectors_context(web: Web, station_id: str) -> dict[str, object]:
    view = await _detail(web, station_id)
    active = await web.services.queries.transactions.search(
        TransactionQuery(station_id=station_id, state=TransactionState.ACTIVE), limit=50
    )
    by_connector = {t.transaction.evse_id: t for t in active}
    reservations = await web.services.reservations.search(station_id, ReservationStatus.ACTIVE)
    return {"v": view, "active": by_connector, "reservations": reservations, "now": web.now()}


@router.get("/stations/{station_id}", response_class=HTMLResponse)
async def station(station_id: str, request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    context = await _connectors_context(web, station_id)
    context.update(await _log_context(request, web, station_id))
    return web.pages.render(
        request,
        "station.html",
        {
            "section": "stations",
            "actions": ordered_actions(),
            "form_of": form_of,
            "local_list": await web.services.local_lists.held(station_id),
            "live_types": STATION_EVENTS,
            **context,
        },
    )


@router.get("/stations/{station_id}/part/connectors", response_class=HTMLResponse)
async def connectors_part(station_id: str, request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    return web.pages.render(request, "parts/connectors.html", await _connectors_context(web, station_id))


async def _log_context(request: Request, web: Web, station_id: str) -> dict[str, object]:
    action = request.query_params.get("action") or None
    messages = await web.services.message_log.recent(station_id, 100, action)
    return {"messages": [_pretty(m) for m in messages], "log_action": action or "", "log_actions": LOG_ACTIONS,
            "station_id": station_id}


@router.get("/stations/{station_id}/part/log", response_class=HTMLResponse)
async def log_part(station_id: str, request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    return web.pages.render(request, "parts/log_messages.html", await _log_context(request, web, station_id))


@router.get("/stations/{station_id}/part/configuration", response_class=HTMLResponse)
async def configuration_part(station_id: str, request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    return web.pages.render(request, "parts/configuration.html", {"v": await _detail(web, station_id)})


@router.post("/stations/{station_id}/commands/{action}", response_class=HTMLResponse)
async def command(
    station_id: str, action: str, request: Request, web: WebDep, _viewer: Staff, form: Form
) -> HTMLResponse:
    """Send a command (after the page asked for confirmation) and show the station's answer."""
    if action not in ordered_actions():
        raise PageNotFound(action)
    await _detail(web, station_id)
    outcome = await run(web.services, station_id, action, form, web.zone)
    brief = form.get("brief") == "1"  # the configuration table shows the rest
    return web.pages.render(request, "parts/answer.html", {"outcome": outcome, "brief": brief})


@dataclass(frozen=True, slots=True)
class LoggedMessage:
    message: OcppMessage
    pretty: str
    kind: str  # CALL, RESULT, ERROR


def _pretty(message: OcppMessage) -> LoggedMessage:
    try:
        frame = json.loads(message.frame)
        pretty = json.dumps(frame, indent=2, ensure_ascii=False)
        kind = {2: "CALL", 3: "CALLRESULT", 4: "CALLERROR"}.get(frame[0], "?") if isinstance(frame, list) and frame else "?"
    except (ValueError, TypeError):
        pretty, kind = message.frame, "?"
    return LoggedMessage(message, pretty, kind)

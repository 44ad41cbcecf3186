"""The dashboard's home: the network at a glance, refreshed live."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from csms.web.auth import Staff
from csms.web.context import WebDep
from csms.web.overview import OverviewBuilder
from csms.web.svg import Bar

router = APIRouter()

LIVE_TYPES = "station.connected station.disconnected status.changed transaction.started transaction.stopped order.updated"


def overview_builder(request: Request, web: WebDep) -> OverviewBuilder:
    builder: OverviewBuilder | None = getattr(request.app.state, "web_overview", None)
    if builder is None:
        builder = OverviewBuilder(web)
        request.app.state.web_overview = builder
    return builder


async def _context(request: Request, web: WebDep) -> dict[str, object]:
    overview = await overview_builder(request, web).get()
    fmt = web.pages.fmt(request)
    bars = [Bar(fmt.local_day(d.day), d.energy_wh / 1000, fmt.kwh(d.energy_wh)) for d in overview.days]
    return {"o": overview, "bars": bars, "now": web.now(), "live_types": LIVE_TYPES}


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    context = await _context(request, web)
    return web.pages.render(request, "overview.html", {"section": "overview", **context})


@router.get("/part/overview", response_class=HTMLResponse)
async def overview_part(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    return web.pages.render(request, "parts/overview.html", await _context(request, web))

"""Charging sessions: the list (filters, paging, CSV export) and the session page with
the power/energy chart, updated live while it charges."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from csms.domain import TransactionState
from csms.services.transaction_views import TransactionQuery, TransactionView
from csms.web.auth import Staff
from csms.web.context import Web, WebDep
from csms.web.errors import PageNotFound
from csms.web.meter_chart import chart, curves
from csms.web.money import COMPONENTS
from csms.web.paging import Page, PageRequest

router = APIRouter()
SESSION_EVENTS = "transaction.updated transaction.stopped order.updated"
CSV_COLUMNS = (
    "transaction_id", "station_id", "connector_id", "id_tag", "state", "started_at",
    "stopped_at", "stop_reason", "energy_kwh", "duration_s",
)


def day_start(value: str | None, zone: ZoneInfo, plus_days: int = 0) -> datetime | None:
    """A ``YYYY-MM-DD`` from a date input, as the start of that local day (UTC-aware)."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=plus_days), time(0), zone)


def filters_of(request: Request, zone: ZoneInfo) -> TransactionQuery:
    params = request.query_params
    state = params.get("state", "")
    return TransactionQuery(
        station_id=params.get("station") or None,
        id_tag=params.get("tag") or None,
        state=TransactionState(state) if state in TransactionState._value2member_map_ else None,
        since=day_start(params.get("from"), zone),
        until=day_start(params.get("to"), zone, plus_days=1),
    )


@router.get("/sessions", response_class=HTMLResponse)
async def sessions(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    wanted = PageRequest.of(request)
    query = filters_of(request, web.zone)
    views = await web.services.queries.transactions.search(query, limit=wanted.fetch, offset=wanted.offset)
    csv_url = "/sessions.csv" + (f"?{request.url.query}" if request.url.query else "")
    return web.pages.render(
        request,
        "sessions.html",
        {"section": "sessions", "page": Page.of(views, wanted), "states": [s.value for s in TransactionState],
         "csv_url": csv_url},
    )


@router.get("/sessions.csv")
async def sessions_csv(request: Request, web: WebDep, _viewer: Staff) -> StreamingResponse:
    """Every session that matches the filters, newest first, times in the site's zone."""
    query = filters_of(request, web.zone)

    async def rows() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        async for view in web.services.queries.transactions.export(query):
            writer.writerow(_csv_row(view, web.zone))
            if buffer.tell() > 32_768:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="sessions.csv"'}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _csv_row(view: TransactionView, zone: ZoneInfo) -> list[Any]:
    tx = view.transaction
    return [
        tx.id, tx.station_id, tx.evse_id, tx.id_tag or "", tx.state.value,
        tx.started_at.astimezone(zone).isoformat(),
        tx.stopped_at.astimezone(zone).isoformat() if tx.stopped_at else "",
        tx.stop_reason or "",
        f"{view.energy_wh / 1000:.3f}" if view.energy_wh is not None else "",
        int(view.duration_s),
    ]


async def session_context(request: Request, web: Web, transaction_id: int) -> dict[str, Any]:
    view = await web.services.queries.transactions.detail(transaction_id)
    if view is None:
        raise PageNotFound(transaction_id)
    found = curves(view.transaction, view.meter_values)
    fmt = web.pages.fmt(request)
    text = web.pages.text
    svg = chart(
        view.transaction, found, fmt,
        text(request, "Power (kW)"), text(request, "Energy (kWh)"), text(request, "No meter values yet."),
    )
    tag = await web.services.tags.get(view.transaction.id_tag) if view.transaction.id_tag else None
    return {"view": view, "tx": view.transaction, "curves": found, "chart": svg, "tag": tag,
            "staff": True, **await order_context(web, transaction_id)}


async def order_context(web: Web, transaction_id: int) -> dict[str, Any]:
    """The order of a session (None before billing saw it), its tariff version."""
    order = await web.services.billing.orders.by_transaction(transaction_id)
    version = None
    if order is not None and order.tariff_version_id is not None:
        version = await web.services.billing.tariffs.version(order.tariff_version_id)
    return {"order": order, "tariff_version": version, "components": COMPONENTS}


@router.get("/sessions/{transaction_id}", response_class=HTMLResponse)
async def session(transaction_id: int, request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    context = await session_context(request, web, transaction_id)
    return web.pages.render(
        request, "session.html", {"section": "sessions", "live_types": SESSION_EVENTS, **context}
    )


@router.get("/sessions/{transaction_id}/part/live", response_class=HTMLResponse)
async def session_part(transaction_id: int, request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    return web.pages.render(request, "parts/session.html", await session_context(request, web, transaction_id))

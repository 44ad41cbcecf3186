"""Orders (what sessions cost): the list with filters and CSV for accounting, refunds.
An order's detail is its session's page (``/sessions/{transaction id}``)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from csms.domain.billing import Order, OrderState
from csms.services.billing import OrderNotFound, OrderStateError, WalletError
from csms.storage.billing import OrderFilter
from csms.web.auth import Form, Staff
from csms.web.context import WebDep
from csms.web.flash import remember
from csms.web.paging import Page, PageRequest
from csms.web.routes.sessions import day_start

router = APIRouter()
STATES = [s.value for s in OrderState]
CSV_COLUMNS = (
    "order_id", "transaction_id", "station_id", "connector_id", "id_tag", "driver_id", "state",
    "currency", "started_at", "stopped_at", "energy_kwh", "charging_min", "idle_min", "net",
    "tax", "total", "tariff_version_id",
)


def _filter(request: Request, zone: ZoneInfo) -> OrderFilter:
    params = request.query_params
    state = params.get("state", "")
    return OrderFilter(
        driver_id=params.get("driver") or None,
        station_id=params.get("station") or None,
        state=OrderState(state) if state in STATES else None,
        started_after=day_start(params.get("from"), zone),
        started_before=day_start(params.get("to"), zone, plus_days=1),
    )


@router.get("/orders", response_class=HTMLResponse)
async def orders(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    wanted = PageRequest.of(request)
    flt = replace(_filter(request, web.zone), limit=wanted.fetch, offset=wanted.offset)
    found = await web.services.billing.orders.search(flt)
    csv_url = "/orders.csv" + (f"?{request.url.query}" if request.url.query else "")
    return web.pages.render(
        request, "orders.html",
        {"section": "orders", "page": Page.of(found, wanted), "states": STATES, "csv_url": csv_url},
    )


@router.get("/orders.csv")
async def orders_csv(request: Request, web: WebDep, _viewer: Staff) -> StreamingResponse:
    """Every matching order, newest first, in batches; times in the site's zone."""
    base = _filter(request, web.zone)

    async def rows() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        offset = 0
        while True:
            batch = await web.services.billing.orders.search(replace(base, limit=500, offset=offset))
            for order in batch:
                writer.writerow(_row(order, web.zone))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(batch) < 500:
                return
            offset += 500

    headers = {"Content-Disposition": 'attachment; filename="orders.csv"'}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _row(order: Order, zone: ZoneInfo) -> list[Any]:
    def local(moment: Any) -> str:
        return moment.astimezone(zone).isoformat() if moment is not None else ""

    return [
        order.id, order.transaction_id, order.station_id, order.connector_id, order.id_tag or "",
        order.driver_id or "", order.state.value, order.currency, local(order.started_at),
        local(order.stopped_at), f"{order.energy_kwh:.3f}",
        f"{order.charging.total_seconds() / 60:.2f}", f"{order.idle.total_seconds() / 60:.2f}",
        order.net if order.net is not None else "", order.tax if order.tax is not None else "",
        order.total if order.total is not None else "", order.tariff_version_id or "",
    ]


@router.post("/orders/{order_id}/refund")
async def refund(order_id: int, request: Request, web: WebDep, _viewer: Staff, form: Form) -> Response:
    try:
        order = await web.services.billing.orders.refund(order_id, form.get("note", ""))
    except (OrderNotFound, OrderStateError, WalletError) as error:
        target = request.headers.get("referer") or "/orders"
        return remember(RedirectResponse(_local(target), 303), request, "Not possible: %(why)s", "error", why=str(error))
    return remember(
        RedirectResponse(f"/sessions/{order.transaction_id}", 303), request,
        "Order %(id)s refunded.", id=order_id,
    )


def _local(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

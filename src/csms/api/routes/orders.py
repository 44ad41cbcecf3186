"""Orders: what each session costs. List, detail with the meter-value chart, CSV export for
accounting, the pre-payment limit of a running session, refunds. A driver key sees only
its own orders."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from csms.api.auth import AnyKey, Principal, StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import ApiError, error_responses, not_found
from csms.api.models.common import Page, PagingDep
from csms.api.models.orders import (
    CSV_COLUMNS,
    LimitPut,
    OrderDetail,
    OrderPublic,
    RefundIn,
    csv_row,
)
from csms.domain.billing import Order, OrderState
from csms.services import Services, as_utc
from csms.services.billing import OrderNotFound, OrderStateError
from csms.storage import OrderFilter

router = APIRouter(tags=["Orders"], responses=error_responses(401, 403))
_EXPORT_PAGE = 500


async def order_filters(
    driver_id: Annotated[str | None, Query(description="only this driver's")] = None,
    station_id: Annotated[str | None, Query()] = None,
    state: Annotated[OrderState | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="started at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="started before (ISO 8601)")] = None,
) -> OrderFilter:
    return OrderFilter(driver_id, station_id, state, as_utc(since) if since else None,
                       as_utc(until) if until else None)  # fmt: skip


Filters = Annotated[OrderFilter, Depends(order_filters)]


def _scoped(flt: OrderFilter, caller: Principal) -> OrderFilter:
    if caller.scope is None:
        return flt
    return replace(flt, driver_id=caller.scope)


async def _visible(services: Services, order_id: int, caller: Principal) -> Order:
    try:
        order = await services.billing.orders.get(order_id)
    except OrderNotFound:
        raise not_found("order", order_id) from None
    if caller.scope is not None and order.driver_id != caller.scope:
        raise not_found("order", order_id)
    return order


@router.get("/orders", summary="List orders", response_model=Page[OrderPublic], responses=error_responses(422))
async def list_orders(
    caller: AnyKey,
    services: ServicesDep,
    paging: PagingDep,
    filters: Filters,
    transaction_id: Annotated[int | None, Query(description="the order of this transaction")] = None,
) -> Page[OrderPublic]:
    """Newest first. Open orders show their running cost."""
    orders = services.billing.orders
    if transaction_id is not None:
        found = await orders.by_transaction(transaction_id)
        scoped = _scoped(filters, caller)
        matches = found is not None and (scoped.driver_id in (None, found.driver_id))
        return paging.page([found] if matches and found is not None else [], OrderPublic.of)
    flt = _scoped(filters, caller)
    found_orders = await orders.search(replace(flt, limit=paging.fetch, offset=paging.offset))
    return paging.page(found_orders, OrderPublic.of)


@router.get(
    "/orders.csv",
    summary="Export orders as CSV",
    response_class=StreamingResponse,
    responses={
        200: {"description": "a header row, then one row per order, newest first",
              "content": {"text/csv": {"example": ",".join(CSV_COLUMNS) + "\r\n"}}},
        **error_responses(422),
    },
)  # fmt: skip
async def export_orders(caller: AnyKey, services: ServicesDep, filters: Filters) -> StreamingResponse:
    """Every order matching the list's filters (no paging): net, tax and total per order."""
    return StreamingResponse(
        _csv_lines(services, _scoped(filters, caller)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="orders.csv"'},
    )


@router.get("/orders/{order_id}", summary="Show an order with its chart", response_model=OrderDetail,
            responses=error_responses(404))  # fmt: skip
async def get_order(order_id: int, caller: AnyKey, services: ServicesDep) -> OrderDetail:
    """The price broken down by component and time-of-use period, and the session's
    energy and power over time."""
    order = await _visible(services, order_id, caller)
    meter_start, samples = await services.billing.orders.meter_values(order)
    return OrderDetail.with_chart(order, samples, meter_start)


@router.put("/orders/{order_id}/limit", summary="Set the pre-payment limit", response_model=OrderPublic,
            responses=error_responses(404, 409, 422))  # fmt: skip
async def set_limit(order_id: int, body: LimitPut, caller: AnyKey, services: ServicesDep) -> OrderPublic:
    """While the session runs: csms stops it remotely once its running cost reaches
    `max_amount` (null: no limit). A driver may set it on their own sessions."""
    order = await _visible(services, order_id, caller)
    try:
        return OrderPublic.of(await services.billing.orders.set_limit(order.id, body.max_amount))
    except OrderStateError as error:
        raise ApiError(409, "order_not_open", str(error)) from None
    except ValueError as error:
        raise ApiError(422, "validation_error", f"body.max_amount: {error}") from None


@router.post("/orders/{order_id}/refund", summary="Refund an order", response_model=OrderPublic,
             responses=error_responses(404, 409))  # fmt: skip
async def refund(order_id: int, body: RefundIn, _caller: StaffKey, services: ServicesDep) -> OrderPublic:
    """Credit a paid order's total back to the driver's wallet (once)."""
    await _visible(services, order_id, _caller)
    try:
        return OrderPublic.of(await services.billing.orders.refund(order_id, body.note))
    except OrderStateError as error:
        raise ApiError(409, "order_not_paid", str(error)) from None


async def _csv_lines(services: Services, flt: OrderFilter) -> AsyncIterator[str]:
    yield _line(CSV_COLUMNS)
    offset = 0
    while True:
        page = await services.billing.orders.search(replace(flt, limit=_EXPORT_PAGE, offset=offset))
        for order in page:
            yield _line(csv_row(order))
        if len(page) < _EXPORT_PAGE:
            return
        offset += _EXPORT_PAGE


def _line(values: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()

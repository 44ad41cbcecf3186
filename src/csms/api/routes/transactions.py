"""Transactions: list, detail with meter values, CSV export. Drivers see their own."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from csms.api.auth import AnyKey, Principal
from csms.api.deps import ServicesDep
from csms.api.errors import error_responses, not_found
from csms.api.models.common import Page, PagingDep
from csms.api.models.transactions import (
    CSV_COLUMNS,
    TransactionDetail,
    TransactionPublic,
    csv_row,
)
from csms.domain import TransactionState
from csms.services import Services, as_utc
from csms.services.transaction_views import TransactionQuery

router = APIRouter(tags=["Transactions"], responses=error_responses(401, 403))


async def transaction_filters(
    station_id: Annotated[str | None, Query(description="only this station's")] = None,
    id_tag: Annotated[str | None, Query(description="only sessions started with this tag")] = None,
    state: Annotated[TransactionState | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="started at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="started before (ISO 8601)")] = None,
) -> TransactionQuery:
    return TransactionQuery(
        station_id=station_id,
        id_tag=id_tag,
        state=state,
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
    )


Filters = Annotated[TransactionQuery, Depends(transaction_filters)]


def _scoped(query: TransactionQuery, caller: Principal) -> TransactionQuery:
    if caller.scope is None:
        return query
    return TransactionQuery(
        query.station_id, query.id_tag, query.state, query.since, query.until, caller.scope
    )


@router.get(
    "/transactions",
    summary="List transactions",
    response_model=Page[TransactionPublic],
    responses=error_responses(422),
)
async def list_transactions(
    caller: AnyKey, services: ServicesDep, paging: PagingDep, filters: Filters
) -> Page[TransactionPublic]:
    """Newest started first. A driver key sees only sessions of its owner's tags."""
    views = await services.queries.transactions.search(
        _scoped(filters, caller), limit=paging.fetch, offset=paging.offset
    )
    return paging.page(views, TransactionPublic.of)


@router.get(
    "/transactions.csv",
    summary="Export transactions as CSV",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "a header row, then one row per transaction, newest first",
            "content": {"text/csv": {"example": ",".join(CSV_COLUMNS) + "\r\n"}},
        },
        **error_responses(422),
    },
)
async def export_transactions(
    caller: AnyKey, services: ServicesDep, filters: Filters
) -> StreamingResponse:
    """Every transaction matching the same filters as the list (no paging)."""
    rows = _csv_lines(services, _scoped(filters, caller))
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="transactions.csv"'},
    )


@router.get(
    "/transactions/{transaction_id}",
    summary="Show a transaction with its meter values",
    response_model=TransactionDetail,
    responses=error_responses(404),
)
async def get_transaction(
    transaction_id: int, caller: AnyKey, services: ServicesDep
) -> TransactionDetail:
    """Energy in kWh, duration, stop reason and every meter value (every measurand, phase
    and unit the station sent). A driver key sees only its owner's sessions."""
    view = await services.queries.transactions.detail(transaction_id, owner=caller.scope)
    if view is None:
        raise not_found("transaction", transaction_id)
    return TransactionDetail.of_view(view)


async def _csv_lines(services: Services, query: TransactionQuery) -> AsyncIterator[str]:
    yield _line(CSV_COLUMNS)
    async for view in services.queries.transactions.export(query):
        yield _line(csv_row(view))


def _line(values: tuple[object, ...] | list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()

"""Drivers and their wallets: the list, add a driver, the wallet (balance, ledger,
top-up, correction) with the driver's id tags and orders."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csms.domain.billing import Driver
from csms.services.billing import DriverNotFound, WalletError
from csms.storage.billing import DriverExists, OrderFilter
from csms.web.auth import Form, Staff
from csms.web.context import WebDep
from csms.web.errors import PageNotFound
from csms.web.flash import remember
from csms.web.paging import Page, PageRequest

router = APIRouter()


@router.get("/drivers", response_class=HTMLResponse)
async def drivers(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    wanted = PageRequest.of(request)
    found = await web.services.billing.wallets.drivers(wanted.fetch, wanted.offset)
    return web.pages.render(
        request, "drivers.html",
        {"section": "drivers", "page": Page.of(found, wanted), "currency": web.app.settings.billing_currency},
    )


@router.post("/drivers")
async def add_driver(request: Request, web: WebDep, _viewer: Staff, form: Form) -> Response:
    driver_id = form.get("id", "").strip()
    response = RedirectResponse("/drivers", 303)
    if not driver_id:
        return remember(response, request, "Invalid input", "error")
    driver = Driver(
        driver_id,
        form.get("currency", "").strip().upper() or web.app.settings.billing_currency,
        web.now(),
        name=form.get("name", "").strip(),
        email=form.get("email", "").strip() or None,
        group=form.get("group", "").strip() or None,
    )
    try:
        await web.services.billing.wallets.add_driver(driver)
    except DriverExists:
        return remember(response, request, "Driver %(id)s exists already.", "error", id=driver_id)
    except ValueError as error:
        return remember(response, request, "Not possible: %(why)s", "error", why=str(error))
    return remember(RedirectResponse(f"/drivers/{driver_id}", 303), request, "Driver %(id)s added.", id=driver_id)


@router.get("/drivers/{driver_id}", response_class=HTMLResponse)
async def driver(driver_id: str, request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    wallets = web.services.billing.wallets
    try:
        wallet = await wallets.wallet(driver_id)
        found = await wallets.driver(driver_id)
    except DriverNotFound:
        raise PageNotFound(driver_id) from None
    wanted = PageRequest.of(request)
    entries = await wallets.ledger(driver_id, wanted.fetch, wanted.offset)
    tags = await web.services.tags.search(owner=driver_id, limit=100)
    orders = await web.services.billing.orders.search(OrderFilter(driver_id=driver_id, limit=10))
    return web.pages.render(
        request, "driver.html",
        {"section": "drivers", "driver": found, "wallet": wallet, "page": Page.of(entries, wanted),
         "tags": tags, "orders": orders},
    )


def _amount(form: dict[str, str]) -> Decimal | None:
    try:
        return Decimal(form.get("amount", "").strip().replace(",", "."))
    except InvalidOperation:
        return None


@router.post("/drivers/{driver_id}/top-up")
async def top_up(driver_id: str, request: Request, web: WebDep, viewer: Staff, form: Form) -> Response:
    """Money the operator received (cash, transfer), or with ``kind=adjust`` a correction."""
    response = RedirectResponse(f"/drivers/{driver_id}", 303)
    amount = _amount(form)
    if amount is None:
        return remember(response, request, "Invalid input", "error")
    note = form.get("note", "").strip() or f"by {viewer.user.email}"
    wallets = web.services.billing.wallets
    try:
        if form.get("kind") == "adjust":
            await wallets.adjust(driver_id, amount, note=note)
        else:
            await wallets.top_up(driver_id, amount, note=note, idempotency_key=form.get("key") or None)
    except DriverNotFound:
        raise PageNotFound(driver_id) from None
    except WalletError as error:
        return remember(response, request, "Not possible: %(why)s", "error", why=str(error))
    return remember(response, request, "The wallet was updated.")

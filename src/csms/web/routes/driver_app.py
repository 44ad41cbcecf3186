"""The driver app (``/app``, phone first): a station's connector reached from the QR code
on the charger, start, the live session, stop, and the history of sessions.

Every failure a driver can meet has its own clear message: station offline, connector
busy, no usable charging card, the station rejected the start or did not answer.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csms.domain import AuthorizationStatus, ConnectorStatus, TransactionState
from csms.gateway import CommandError, CommandTimeout, StationOffline
from csms.services.billing import DriverNotFound, PaymentDeclined, PaymentError, WalletError
from csms.services.commands import NoFreeConnector, SessionError
from csms.services.transaction_views import TransactionQuery, TransactionView
from csms.web.auth import DriverViewer, Form, Viewer
from csms.web.context import Web, WebDep
from csms.web.errors import PageNotFound
from csms.web.flash import remember
from csms.web.labels import N_
from csms.web.meter_chart import curves
from csms.web.money import tariff_lines
from csms.web.paging import Page, PageRequest
from csms.web.routes.sessions import order_context

router = APIRouter(prefix="/app")
FREE = (ConnectorStatus.AVAILABLE, ConnectorStatus.PREPARING)
SESSION_EVENTS = "transaction.updated transaction.stopped order.updated"
CONNECTOR_EVENTS = "station.connected station.disconnected status.changed transaction.started transaction.stopped"


def _driver_id(viewer: Viewer) -> str:
    return viewer.user.driver_id or ""


async def _tag_of(web: Web, viewer: Viewer) -> str | None:
    tags = await web.services.tags.search(owner=_driver_id(viewer), status=AuthorizationStatus.ACCEPTED, limit=1)
    return tags[0].id_tag if tags else None


async def _own_session(web: Web, viewer: Viewer, transaction_id: int) -> TransactionView:
    view = await web.services.queries.transactions.detail(transaction_id, owner=_driver_id(viewer))
    if view is None:
        raise PageNotFound(transaction_id)
    return view


@router.get("", response_class=HTMLResponse)
async def home(request: Request, web: WebDep, viewer: DriverViewer) -> HTMLResponse:
    owner = _driver_id(viewer)
    active = await web.services.queries.transactions.search(
        TransactionQuery(state=TransactionState.ACTIVE, owner=owner), limit=5
    )
    recent = await web.services.queries.transactions.search(
        TransactionQuery(state=TransactionState.STOPPED, owner=owner), limit=3
    )
    return web.pages.render(
        request, "app/home.html", {"tab": "home", "active": active, "recent": recent}
    )


@router.get("/go")
async def go(request: Request) -> Response:
    """The "enter the code on the charger" form: to that connector's page."""
    station = request.query_params.get("station", "").strip()
    connector = request.query_params.get("connector", "1").strip() or "1"
    if not station or not connector.isdigit():
        return RedirectResponse("/app", 303)
    return RedirectResponse(f"/app/s/{quote(station, safe='')}/{int(connector)}", 303)


async def _connector_context(
    request: Request, web: Web, viewer: Viewer, station_id: str, connector_id: int
) -> dict[str, Any]:
    station = await web.services.stations.get(station_id)
    if station is None:
        raise PageNotFound(station_id)
    online = web.gateway.connection(station_id) is not None
    status = next(
        (s for s in await web.services.statuses.current(station_id) if s.evse_id == connector_id and s.evse_id > 0),
        None,
    )
    if status is None:
        raise PageNotFound(f"{station_id}/{connector_id}")
    active = await web.services.queries.transactions.search(
        TransactionQuery(station_id=station_id, state=TransactionState.ACTIVE), limit=20
    )
    running = next((v for v in active if v.transaction.evse_id == connector_id), None)
    mine = running is not None and await _owns(web, viewer, running.transaction.id_tag)
    free = online and status.status in FREE and running is None
    tag = await _tag_of(web, viewer)
    return {
        "station": station, "connector_id": connector_id, "status": status, "online": online,
        "free": free, "running": running, "mine": mine, "tag": tag,
        "price": await _price(request, web, viewer, station_id, tag),
    }


async def _price(request: Request, web: Web, viewer: Viewer, station_id: str, tag: str | None) -> list[str]:
    """What charging here costs this driver now, in short lines (empty: no tariff)."""
    billing = web.services.billing
    try:
        driver = await billing.wallets.driver(_driver_id(viewer))
    except DriverNotFound:
        driver = None
    version = await billing.tariffs.resolve(station_id, tag, driver, web.now())
    if version is None:
        return []
    return tariff_lines(version.spec, web.pages.fmt(request), lambda m, **k: web.pages.text(request, m, **k))


async def _owns(web: Web, viewer: Viewer, id_tag: str | None) -> bool:
    if id_tag is None:
        return False
    tag = await web.services.tags.get(id_tag)
    return tag is not None and tag.owner == _driver_id(viewer)


@router.get("/s/{station_id}/{connector_id}", response_class=HTMLResponse)
async def connector(station_id: str, connector_id: int, request: Request, web: WebDep, viewer: DriverViewer) -> HTMLResponse:
    """The page a charger's QR code opens: free or busy, the price, Start."""
    context = await _connector_context(request, web, viewer, station_id, connector_id)
    return web.pages.render(request, "app/connector.html", {"tab": "home", "live_types": CONNECTOR_EVENTS, **context})


@router.get("/s/{station_id}/{connector_id}/part", response_class=HTMLResponse)
async def connector_part(station_id: str, connector_id: int, request: Request, web: WebDep, viewer: DriverViewer) -> HTMLResponse:
    context = await _connector_context(request, web, viewer, station_id, connector_id)
    return web.pages.render(request, "app/parts/connector.html", context)


@router.post("/s/{station_id}/{connector_id}/start")
async def start(
    station_id: str, connector_id: int, request: Request, web: WebDep, viewer: DriverViewer, _form: Form
) -> Response:
    context = await _connector_context(request, web, viewer, station_id, connector_id)
    problem = _cannot_start(context)
    if problem is None:
        allowed, _why = await web.services.billing.can_start(context["tag"])
        if not allowed:
            problem = N_("Your balance is too low to start charging. Top up your wallet first.")
    if problem is None:
        try:
            result = await web.services.remote.start_session(
                station_id, context["tag"], connector_id=connector_id, wait_for_transaction=30.0
            )
        except NoFreeConnector:
            problem = N_("This connector is busy. Try another one.")
        except StationOffline:
            problem = N_("The station is offline. Try again later or use another station.")
        except CommandTimeout:
            problem = N_("The station did not answer. Try again.")
        except (CommandError, SessionError):
            problem = N_("The station could not start charging.")
        else:
            if result.status != "Accepted":
                problem = N_("The station rejected the start.")
            elif result.transaction_id is None:
                problem = N_("The station accepted, but charging has not started. Plug in your car and try again.")
            else:
                return RedirectResponse(f"/app/session/{result.transaction_id}", 303)
    flash = {"kind": "error", "text": web.pages.text(request, problem)}
    return web.pages.render(
        request, "app/connector.html",
        {"tab": "home", "live_types": CONNECTOR_EVENTS, "flash": flash, **context}, status=409,
    )


def _cannot_start(context: dict[str, Any]) -> str | None:
    if not context["online"]:
        return N_("The station is offline. Try again later or use another station.")
    if context["running"] is not None or context["status"].status not in FREE:
        return N_("This connector is busy. Try another one.")
    if context["tag"] is None:
        return N_("Your account has no charging card yet. Ask the operator to add one.")
    return None


async def _session_context(request: Request, web: Web, viewer: Viewer, transaction_id: int) -> dict[str, Any]:
    view = await _own_session(web, viewer, transaction_id)
    found = curves(view.transaction, view.meter_values)
    return {"view": view, "tx": view.transaction, "curves": found, **await order_context(web, transaction_id)}


@router.get("/session/{transaction_id}", response_class=HTMLResponse)
async def session(transaction_id: int, request: Request, web: WebDep, viewer: DriverViewer) -> Response:
    context = await _session_context(request, web, viewer, transaction_id)
    return web.pages.render(request, "app/session.html", {"tab": "home", "live_types": SESSION_EVENTS, **context})


@router.get("/session/{transaction_id}/part", response_class=HTMLResponse)
async def session_part(transaction_id: int, request: Request, web: WebDep, viewer: DriverViewer) -> Response:
    context = await _session_context(request, web, viewer, transaction_id)
    return web.pages.render(request, "app/parts/session.html", context)


@router.post("/session/{transaction_id}/stop")
async def stop(transaction_id: int, request: Request, web: WebDep, viewer: DriverViewer, _form: Form) -> Response:
    view = await _own_session(web, viewer, transaction_id)
    problem = None
    if view.transaction.state is TransactionState.ACTIVE:
        try:
            result = await web.services.remote.stop_session(transaction_id, wait_for_stop=20.0)
        except StationOffline:
            problem = N_("The station is offline: unplug to stop, the session ends when it reconnects.")
        except CommandTimeout:
            problem = N_("The station did not answer. Try again.")
        except (CommandError, SessionError):
            problem = N_("The station could not stop charging.")
        else:
            if result.status != "Accepted":
                problem = N_("The station rejected the stop.")
    if problem is None:
        return RedirectResponse(f"/app/orders/{transaction_id}", 303)
    context = await _session_context(request, web, viewer, transaction_id)
    flash = {"kind": "error", "text": web.pages.text(request, problem)}
    return web.pages.render(
        request, "app/session.html",
        {"tab": "home", "live_types": SESSION_EVENTS, "flash": flash, **context}, status=409,
    )


@router.get("/orders", response_class=HTMLResponse)
async def orders(request: Request, web: WebDep, viewer: DriverViewer) -> HTMLResponse:
    wanted = PageRequest.of(request, size=20)
    views = await web.services.queries.transactions.search(
        TransactionQuery(owner=_driver_id(viewer)), limit=wanted.fetch, offset=wanted.offset
    )
    return web.pages.render(request, "app/orders.html", {"tab": "orders", "page": Page.of(views, wanted)})


@router.get("/orders/{transaction_id}", response_class=HTMLResponse)
async def receipt(transaction_id: int, request: Request, web: WebDep, viewer: DriverViewer) -> HTMLResponse:
    view = await _own_session(web, viewer, transaction_id)
    context = {"tab": "orders", "view": view, "tx": view.transaction, **await order_context(web, transaction_id)}
    return web.pages.render(request, "app/receipt.html", context)


TEST_PROVIDER = "test"
TOP_UP_AMOUNTS = ("10", "20", "50")


@router.get("/wallet", response_class=HTMLResponse)
async def wallet(request: Request, web: WebDep, viewer: DriverViewer) -> HTMLResponse:
    """Balance, top-up through the payment provider, and the ledger."""
    wallets = web.services.billing.wallets
    wanted = PageRequest.of(request, size=20)
    try:
        found = await wallets.wallet(_driver_id(viewer))
        entries = await wallets.ledger(_driver_id(viewer), wanted.fetch, wanted.offset)
    except DriverNotFound:
        found, entries = None, []
    return web.pages.render(
        request, "app/wallet.html",
        {"tab": "wallet", "wallet": found, "page": Page.of(entries, wanted),
         "can_pay": web.app.settings.billing_test_payments, "amounts": TOP_UP_AMOUNTS,
         "payment_key": secrets.token_urlsafe(16)},
    )


@router.post("/wallet/top-up")
async def wallet_top_up(request: Request, web: WebDep, viewer: DriverViewer, form: Form) -> Response:
    """Pay in through the (test) payment provider; the form's key makes a resubmit harmless."""
    response = RedirectResponse("/app/wallet", 303)
    try:
        amount = Decimal(form.get("amount", "").replace(",", "."))
    except InvalidOperation:
        return remember(response, request, "Invalid input", "error")
    try:
        await web.services.billing.wallets.pay_in(
            _driver_id(viewer), amount, provider=TEST_PROVIDER,
            token=form.get("card", "tok_test"), idempotency_key=form.get("key") or secrets.token_urlsafe(16),
        )
    except PaymentDeclined:
        return remember(response, request, "The payment was declined.", "error")
    except (PaymentError, WalletError, DriverNotFound) as error:
        return remember(response, request, "The payment failed: %(why)s", "error", why=str(error))
    return remember(response, request, "Your wallet was topped up.")

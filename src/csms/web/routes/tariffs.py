"""Tariffs: the list, create and edit (each edit is a new version; sessions keep the
version they started with), the time-of-use editor, assignments, archive."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csms.domain.billing import RESOLUTION_ORDER, AssignmentScope, TariffSpec
from csms.services.billing import TariffNotFound
from csms.web.auth import Form, Staff
from csms.web.context import Web, WebDep
from csms.web.errors import PageNotFound
from csms.web.flash import remember
from csms.web.money import WEEKDAYS, tariff_lines
from csms.web.tariff_form import DAYS, TariffInputError, rows_of, spec_from_form, values_of

router = APIRouter()
SCOPES = [s.value for s in RESOLUTION_ORDER]


def _editor(spec: TariffSpec | None, web: Web) -> dict[str, object]:
    values = values_of(spec) or {"currency": web.app.settings.billing_currency, "time_zone": web.zone.key}
    return {"values": values, "rows": rows_of(spec), "days": DAYS, "weekdays": WEEKDAYS}


@router.get("/tariffs", response_class=HTMLResponse)
async def tariffs(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    billing = web.services.billing.tariffs
    views = await billing.all()
    fmt = web.pages.fmt(request)
    text = web.pages.text
    lines = {
        v.tariff.id: tariff_lines(v.current.spec, fmt, lambda m, **k: text(request, m, **k))
        for v in views
    }
    return web.pages.render(
        request, "tariffs.html",
        {"section": "tariffs", "tariffs": views, "lines": lines,
         "assignments": await billing.assignments(), **_editor(None, web)},
    )


@router.post("/tariffs")
async def create(request: Request, web: WebDep, _viewer: Staff, form: Form) -> Response:
    name = form.get("name", "").strip()
    try:
        if not name:
            raise TariffInputError("name", "required")
        spec = spec_from_form(form, web.zone.key)
    except TariffInputError as error:
        return remember(RedirectResponse("/tariffs", 303), request, "Invalid input: %(why)s", "error", why=str(error))
    view = await web.services.billing.tariffs.create(name, spec)
    return remember(RedirectResponse(f"/tariffs/{view.tariff.id}", 303), request, "Tariff %(name)s saved.", name=name)


@router.get("/tariffs/{tariff_id}", response_class=HTMLResponse)
async def tariff(tariff_id: int, request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    billing = web.services.billing.tariffs
    try:
        view = await billing.get(tariff_id)
        versions = await billing.versions(tariff_id)
    except TariffNotFound:
        raise PageNotFound(tariff_id) from None
    fmt = web.pages.fmt(request)
    lines = tariff_lines(view.current.spec, fmt, lambda m, **k: web.pages.text(request, m, **k))
    assigned = [a for a in await billing.assignments() if a.tariff_id == tariff_id]
    return web.pages.render(
        request, "tariff.html",
        {"section": "tariffs", "view": view, "versions": versions, "lines": lines,
         "assigned": assigned, "scopes": SCOPES, **_editor(view.current.spec, web)},
    )


@router.post("/tariffs/{tariff_id}")
async def edit(tariff_id: int, request: Request, web: WebDep, _viewer: Staff, form: Form) -> Response:
    response = RedirectResponse(f"/tariffs/{tariff_id}", 303)
    try:
        spec = spec_from_form(form, web.zone.key)
        await web.services.billing.tariffs.edit(tariff_id, spec, form.get("name", "").strip() or None)
    except TariffInputError as error:
        return remember(response, request, "Invalid input: %(why)s", "error", why=str(error))
    except TariffNotFound:
        raise PageNotFound(tariff_id) from None
    return remember(response, request, "Tariff %(name)s saved.", name=form.get("name", ""))


@router.post("/tariffs/{tariff_id}/assign")
async def assign(tariff_id: int, request: Request, web: WebDep, _viewer: Staff, form: Form) -> Response:
    response = RedirectResponse(f"/tariffs/{tariff_id}", 303)
    scope = form.get("scope", "")
    key = form.get("key", "").strip()
    if scope not in SCOPES or (not key and scope != AssignmentScope.DEFAULT.value):
        return remember(response, request, "Invalid input", "error")
    billing = web.services.billing.tariffs
    if form.get("unassign"):
        await billing.unassign(AssignmentScope(scope), key)
        return remember(response, request, "Assignment removed.")
    try:
        await billing.assign(AssignmentScope(scope), key, tariff_id)
    except TariffNotFound:
        raise PageNotFound(tariff_id) from None
    return remember(response, request, "Tariff assigned.")


@router.post("/tariffs/{tariff_id}/archive")
async def archive(tariff_id: int, request: Request, web: WebDep, _viewer: Staff, _form: Form) -> Response:
    try:
        await web.services.billing.tariffs.archive(tariff_id)
    except TariffNotFound:
        raise PageNotFound(tariff_id) from None
    return remember(RedirectResponse("/tariffs", 303), request, "Tariff archived.")

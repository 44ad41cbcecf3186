"""Id tags: list (owner and status filters, paging), add, block/accept, delete."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csms.domain import AuthorizationStatus, IdTag
from csms.services.tags import TagExists
from csms.web.auth import Form, Staff
from csms.web.context import WebDep
from csms.web.flash import remember
from csms.web.paging import Page, PageRequest

router = APIRouter()
STATUSES = [s.value for s in AuthorizationStatus]


@router.get("/tags", response_class=HTMLResponse)
async def tags(request: Request, web: WebDep, _viewer: Staff) -> HTMLResponse:
    wanted = PageRequest.of(request)
    owner = request.query_params.get("owner") or None
    status = request.query_params.get("status", "")
    found = await web.services.tags.search(
        owner=owner,
        status=AuthorizationStatus(status) if status in STATUSES else None,
        limit=wanted.fetch,
        offset=wanted.offset,
    )
    return web.pages.render(
        request, "tags.html", {"section": "tags", "page": Page.of(found, wanted), "statuses": STATUSES}
    )


@router.post("/tags")
async def add_tag(request: Request, web: WebDep, _viewer: Staff, form: Form) -> Response:
    response = RedirectResponse("/tags", 303)
    id_tag = form.get("id_tag", "").strip()
    if not id_tag or len(id_tag) > 20:
        return remember(response, request, "An id tag has 1 to 20 characters.", "error")
    expiry = None
    if form.get("expiry"):
        try:
            expiry = datetime.fromisoformat(form["expiry"]).replace(tzinfo=web.zone)
        except ValueError:
            return remember(response, request, "Invalid input", "error")
    status = form.get("status", "Accepted")
    tag = IdTag(
        id_tag,
        AuthorizationStatus(status if status in STATUSES else "Accepted"),
        expiry,
        form.get("parent") or None,
        form.get("owner") or None,
    )
    try:
        await web.services.tags.create(tag)
    except TagExists:
        return remember(response, request, "Id tag %(tag)s exists already.", "error", tag=id_tag)
    return remember(response, request, "Id tag %(tag)s added.", tag=id_tag)


@router.post("/tags/{id_tag}/status")
async def set_status(id_tag: str, request: Request, web: WebDep, _viewer: Staff, form: Form) -> Response:
    status = form.get("status", "")
    if status in STATUSES:
        await web.services.tags.update(id_tag, status=AuthorizationStatus(status))
    return remember(RedirectResponse("/tags", 303), request, "Id tag %(tag)s changed.", tag=id_tag)


@router.post("/tags/{id_tag}/delete")
async def delete_tag(id_tag: str, request: Request, web: WebDep, _viewer: Staff, _form: Form) -> Response:
    await web.services.tags.delete(id_tag)
    return remember(RedirectResponse("/tags", 303), request, "Id tag %(tag)s deleted.", tag=id_tag)

"""Web accounts (admins only): who may sign in to the dashboard and the app."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csms.domain.operations import Role
from csms.services.users import AccountError
from csms.storage.users import UserExists
from csms.web.auth import Admin, Form
from csms.web.context import WebDep
from csms.web.flash import remember
from csms.web.paging import Page, PageRequest

router = APIRouter()
ROLES = [r.value for r in Role]


@router.get("/users", response_class=HTMLResponse)
async def users(request: Request, web: WebDep, _viewer: Admin) -> HTMLResponse:
    wanted = PageRequest.of(request)
    found = await web.users.search(limit=wanted.fetch, offset=wanted.offset)
    return web.pages.render(
        request, "users.html", {"section": "users", "page": Page.of(found, wanted), "roles": ROLES}
    )


@router.post("/users")
async def create(request: Request, web: WebDep, _viewer: Admin, form: Form) -> Response:
    response = RedirectResponse("/users", 303)
    role = form.get("role", "")
    if role not in ROLES:
        return remember(response, request, "Invalid input", "error")
    try:
        user = await web.users.create(
            form.get("email", ""), Role(role), form.get("password", ""),
            name=form.get("name", "").strip(), driver_id=form.get("driver_id", "").strip() or None,
        )
    except UserExists:
        return remember(response, request, "An account for %(email)s exists already.", "error", email=form.get("email", ""))
    except AccountError as error:
        return remember(response, request, "Not possible: %(why)s", "error", why=str(error))
    return remember(response, request, "Account %(email)s created.", email=user.email)


@router.post("/users/{user_id}/disabled")
async def set_disabled(user_id: int, request: Request, web: WebDep, viewer: Admin, form: Form) -> Response:
    response = RedirectResponse("/users", 303)
    if user_id == viewer.user.id:
        return remember(response, request, "You cannot disable your own account.", "error")
    try:
        user = await web.users.set_disabled(user_id, form.get("disabled") == "1")
    except KeyError:
        return remember(response, request, "Invalid input", "error")
    return remember(response, request, "Account %(email)s changed.", email=user.email)

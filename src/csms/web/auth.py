"""Who is looking at a page: the session cookie, the roles of each area, CSRF.

Cookies: ``csms_session`` (the session token: HttpOnly, SameSite=Lax so that a QR-code
link opened from another app still arrives signed in, Secure over HTTPS) and, before
sign-in, ``csms_login_csrf`` (double-submit token of the sign-in form). Every POST of a
signed-in page carries the session's CSRF token, as the ``csrf`` form field or the
``X-CSRF-Token`` header; a missing or wrong one is refused with 403.

Page handlers declare who may see them::

    async def page(viewer: Staff) -> ...        # admin or operator, else to /login
    async def page(viewer: DriverViewer) -> ... # driver, else to /app/login
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl, quote

from fastapi import Depends, Request, Response

from csms.domain.operations import Role
from csms.storage.users import User, WebSession
from csms.web.context import get_web
from csms.web.errors import Forbidden, Redirect

SESSION_COOKIE = "csms_session"
LOGIN_CSRF_COOKIE = "csms_login_csrf"
MAX_FORM_BYTES = 1 << 20
STAFF = frozenset({Role.ADMIN, Role.OPERATOR})


@dataclass(frozen=True, slots=True)
class Viewer:
    user: User
    session: WebSession

    @property
    def csrf(self) -> str:
        return self.session.csrf_token

    @property
    def is_admin(self) -> bool:
        return self.user.role is Role.ADMIN


async def current_viewer(request: Request) -> Viewer | None:
    """The signed-in user of this request, or None (looked up once per request)."""
    if hasattr(request.state, "viewer"):
        found: Viewer | None = request.state.viewer
        return found
    viewer = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        resolved = await get_web(request).users.resolve(token)
        if resolved is not None:
            viewer = Viewer(*resolved)
    request.state.viewer = viewer
    return viewer


def safe_next(target: str | None, default: str) -> str:
    """A local path to go to after sign-in (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return quote(request.url.path + query, safe="")


async def staff(request: Request) -> Viewer:
    viewer = await current_viewer(request)
    if viewer is None:
        raise Redirect(f"/login?next={_here(request)}")
    if viewer.user.role not in STAFF:
        raise Redirect("/app")
    return viewer


async def admin(viewer: Annotated[Viewer, Depends(staff)]) -> Viewer:
    if not viewer.is_admin:
        raise Forbidden("Only an administrator may do this.")
    return viewer


async def driver(request: Request) -> Viewer:
    viewer = await current_viewer(request)
    if viewer is None or viewer.user.role is not Role.DRIVER:
        raise Redirect(f"/app/login?next={_here(request)}")
    return viewer


Staff = Annotated[Viewer, Depends(staff)]
Admin = Annotated[Viewer, Depends(admin)]
DriverViewer = Annotated[Viewer, Depends(driver)]


async def read_form(request: Request) -> dict[str, str]:
    """The URL-encoded body (the last value of a repeated field wins)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Forbidden("The form is too large.")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


async def checked_form(request: Request) -> dict[str, str]:
    """The form of a signed-in POST, after its CSRF token was checked."""
    viewer = await current_viewer(request)
    form = await read_form(request)
    token = request.headers.get("x-csrf-token") or form.get("csrf")
    if viewer is None or not _same(token, viewer.csrf):
        raise Forbidden("The form has expired. Reload the page and try again.")
    return form


Form = Annotated[dict[str, str], Depends(checked_form)]


def login_csrf(request: Request) -> str:
    """The double-submit token of the sign-in form (set as a cookie by the page)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def check_login_csrf(request: Request, form: dict[str, str]) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if cookie is None or not _same(form.get("csrf"), cookie):
        raise Forbidden("The form has expired. Reload the page and try again.")


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )

"""Sign in and out (dashboard and app), and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csms.domain.operations import Role
from csms.services.users import LoginThrottled
from csms.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    STAFF,
    Form,
    check_login_csrf,
    current_viewer,
    login_csrf,
    read_form,
    safe_next,
    set_cookie,
)
from csms.web.context import WebDep
from csms.web.i18n import COOKIE, LANGUAGES

router = APIRouter()
_YEAR = 365 * 24 * 3600


def _login_page(
    request: Request, web: WebDep, area: str, error: str | None = None, status: int = 200, email: str = ""
) -> HTMLResponse:
    token = login_csrf(request)
    template = "app/login.html" if area == "app" else "login.html"
    home = "/app" if area == "app" else "/"
    response = web.pages.render(
        request,
        template,
        {
            "login_csrf": token,
            "error": error,
            "email": email,
            "next": safe_next(request.query_params.get("next"), home),
        },
        status=status,
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, None)
    return response


async def _sign_in(request: Request, web: WebDep, area: str) -> Response:
    form = await read_form(request)
    check_login_csrf(request, form)
    email = form.get("email", "")
    home = "/app" if area == "app" else "/"
    client = request.client.host if request.client else "unknown"
    try:
        signed = await web.users.sign_in(email, form.get("password", ""), client)
    except LoginThrottled as error:
        minutes = max(int(error.retry_after // 60) + 1, 1)
        message = web.pages.text(
            request, "Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=minutes
        )
        return _login_page(request, web, area, message, 429, email)
    if signed is None:
        message = web.pages.text(request, "Wrong e-mail address or password.")
        return _login_page(request, web, area, message, 401, email)
    wanted_staff = area != "app"
    if (signed.user.role in STAFF) != wanted_staff:
        await web.users.sign_out(signed.token)
        message = web.pages.text(
            request,
            "This is a driver account: sign in to the driver app."
            if signed.user.role is Role.DRIVER
            else "This is an operator account: sign in to the dashboard.",
        )
        return _login_page(request, web, area, message, 403, email)
    target = safe_next(form.get("next"), home)
    response = RedirectResponse(target, status_code=303)
    lifetime = int((signed.session.expires_at - signed.session.created_at).total_seconds())
    set_cookie(response, request, SESSION_COOKIE, signed.token, lifetime)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, web: WebDep) -> Response:
    viewer = await current_viewer(request)
    if viewer is not None and viewer.user.role in STAFF:
        return RedirectResponse(safe_next(request.query_params.get("next"), "/"), 303)
    return _login_page(request, web, "dashboard")


@router.post("/login")
async def login(request: Request, web: WebDep) -> Response:
    return await _sign_in(request, web, "dashboard")


@router.get("/app/login", response_class=HTMLResponse)
async def app_login_page(request: Request, web: WebDep) -> Response:
    viewer = await current_viewer(request)
    if viewer is not None and viewer.user.role is Role.DRIVER:
        return RedirectResponse(safe_next(request.query_params.get("next"), "/app"), 303)
    return _login_page(request, web, "app")


@router.post("/app/login")
async def app_login(request: Request, web: WebDep) -> Response:
    return await _sign_in(request, web, "app")


@router.post("/logout")
async def logout(request: Request, web: WebDep, form: Form) -> Response:
    viewer = await current_viewer(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await web.users.sign_out(token)
    home = "/app/login" if viewer is not None and viewer.user.role is Role.DRIVER else "/login"
    response = RedirectResponse(home, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
async def switch_language(code: str, request: Request) -> Response:
    """Remember the language (a year) and go back to where the switch was used."""
    target = safe_next(request.query_params.get("next"), "/")
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=_YEAR, path="/", samesite="lax")
    return response

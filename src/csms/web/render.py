"""Server-rendered pages: one Jinja2 environment per language (its messages installed),
with the language's :class:`~csms.web.i18n.Formatter` as ``fmt`` in every template.

    return web.pages.render(request, "stations.html", {"stations": views})

Every template also gets ``lang``, ``viewer`` (or None), ``csrf``, ``path``, ``now``,
``query`` (the request's query parameters) and ``url(**changes)`` (this page's URL with
some query parameters changed: paging and filter links).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from csms.web.flash import COOKIE as FLASH_COOKIE
from csms.web.flash import take as take_flash
from csms.web.i18n import COOKIE, LANGUAGES, Formatter, language_name, negotiate, translations
from csms.web.labels import display
from csms.web.svg import bar_chart, line_chart

TEMPLATES = Path(__file__).resolve().parent / "templates"


def language(request: Request) -> str:
    """The language of this request's answer (see :func:`csms.web.i18n.negotiate`)."""
    return negotiate(request.cookies.get(COOKIE), request.headers.get("accept-language"))


class Pages:
    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._envs = {lang: self._environment(lang) for lang in LANGUAGES}

    def _environment(self, lang: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html", "svg"]),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(
            fmt=Formatter(lang, self._zone),
            lang=lang,
            languages=[(code, language_name(code)) for code in LANGUAGES],
            line_chart=line_chart,
            bar_chart=bar_chart,
            display=display,
        )
        return env

    def gettext(self, lang: str, message: str, **values: Any) -> str:
        """``message`` translated into ``lang`` (``%(name)s`` placeholders filled)."""
        text = translations(lang).gettext(message)
        return text % values if values else text

    def text(self, request: Request, message: str, **values: Any) -> str:
        return self.gettext(language(request), message, **values)

    def fmt(self, request: Request) -> Formatter:
        return Formatter(language(request), self._zone)

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        lang = language(request)
        template = self._envs[lang].get_template(name)
        viewer = getattr(request.state, "viewer", None)
        values: dict[str, Any] = {
            "request": request,
            "viewer": viewer,
            "csrf": viewer.csrf if viewer is not None else "",
            "path": request.url.path,
            "query": dict(request.query_params),
            "url": _url_maker(request),
            "flash": None,
        }
        shown = take_flash(request)
        if shown is not None:
            message, kind, params = shown
            values["flash"] = {"kind": kind, "text": self.gettext(lang, message, **params)}
        values.update(context or {})
        html = template.render(values)
        response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
        if shown is not None:
            response.delete_cookie(FLASH_COOKIE, path="/")
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Language", Formatter(lang, self._zone).html_lang)
        return response


def _url_maker(request: Request) -> Any:
    def url(**changes: Any) -> str:
        params = dict(request.query_params)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        return request.url.path + ("?" + urlencode(params) if params else "")

    return url

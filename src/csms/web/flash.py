"""One-shot messages after a form's POST-redirect-GET: kept in a short-lived cookie,
shown (translated) by the next page, then dropped."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response

from csms.web.auth import set_cookie

COOKIE = "csms_flash"


def remember(response: Response, request: Request, message: str, kind: str = "ok", **values: Any) -> Response:
    """Show ``message`` (a message id with ``%(name)s`` values) on the next page."""
    payload = json.dumps({"m": message, "k": kind, "v": {k: str(v) for k, v in values.items()}})
    set_cookie(response, request, COOKIE, payload, 60)
    return response


def take(request: Request) -> tuple[str, str, dict[str, str]] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return str(data["m"]), str(data["k"]), {str(k): str(v) for k, v in data.get("v", {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None

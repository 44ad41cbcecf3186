"""The WebSocket upgrade of a station (OCPP-J 1.6 §3 and security whitepaper profile 1).

Pure functions over the request's path and headers, so they can be tested without
sockets: the station id is the last path segment, URL-decoded; the subprotocol is
negotiated from ``Sec-WebSocket-Protocol``; HTTP Basic credentials must name the station.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

MAX_STATION_ID_LENGTH = 48  # 2.0.1 identity is string[0..48]; 1.6 chargeBoxIdentity is 20


def station_id_from_path(path: str) -> str | None:
    """``/ocpp/CP%2001?x=1`` -> ``"CP 01"``; None when there is no usable id."""
    bare = path.split("?", 1)[0]
    segment = unquote(bare.rsplit("/", 1)[-1]) if "/" in bare else ""
    if not segment or len(segment) > MAX_STATION_ID_LENGTH or any(c in segment for c in "/\\"):
        return None
    return segment


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """Decode ``Authorization: Basic ...`` into (user, password); None when absent or malformed."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None

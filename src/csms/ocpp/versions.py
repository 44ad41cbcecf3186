"""OCPP versions csms speaks and their WebSocket subprotocol names (OCPP-J 1.6 §3.1.2)."""

from __future__ import annotations

import enum


class OcppVersion(enum.StrEnum):
    """An OCPP version, valued by its WebSocket subprotocol name."""

    V16 = "ocpp1.6"
    V201 = "ocpp2.0.1"


def negotiate(offered: str | None, supported: tuple[OcppVersion, ...]) -> OcppVersion | None:
    """Pick the first subprotocol the station offers that csms supports.

    ``offered`` is the raw ``Sec-WebSocket-Protocol`` header (comma separated, in the
    station's order of preference). Returns None when nothing matches: the upgrade must
    then be refused.
    """
    if not offered:
        return None
    by_name = {version.value: version for version in supported}
    for token in offered.split(","):
        version = by_name.get(token.strip().lower())
        if version is not None:
            return version
    return None

"""What every page handler reaches: the wired csms :class:`~csms.app.App` (services,
gateway, settings), the web accounts and the page renderer. One :class:`Web` per HTTP
application, on ``api.state.web`` (no global)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from csms.gateway import Gateway
from csms.services import Services
from csms.services.users import UserService

if TYPE_CHECKING:
    from csms.app import App
    from csms.web.render import Pages


@dataclass(frozen=True, slots=True)
class Web:
    app: App
    users: UserService
    pages: Pages
    zone: ZoneInfo

    @property
    def services(self) -> Services:
        return self.app.services

    @property
    def gateway(self) -> Gateway:
        return self.app.gateway

    @property
    def presence(self) -> GatewayPresence:
        return GatewayPresence(self.app.gateway)

    def now(self) -> datetime:
        return self.app.services.clock.now()


class GatewayPresence:
    """Who is connected, since when (``csms.services.station_views.Presence``)."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    def connected(self) -> list[str]:
        return self._gateway.connected()

    def connected_since(self, station_id: str) -> datetime | None:
        connection = self._gateway.connection(station_id)
        return connection.connected_at if connection is not None else None


def get_web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


async def _web(request: Request) -> Web:
    """:func:`get_web` as a dependency (``async``: FastAPI runs a sync one in a thread)."""
    return get_web(request)


WebDep = Annotated[Web, Depends(_web)]

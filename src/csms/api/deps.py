"""What routes receive by dependency injection: the wired services, the gateway and the
settings of the :class:`~csms.app.App` that ``create_api`` put on ``api.state.csms``.
Nothing is a global; a test builds its own App with ``build_app``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from csms.gateway import Gateway
from csms.services import Services
from csms.services.station_views import Presence
from csms.settings import Settings

if TYPE_CHECKING:
    from csms.app import App


def get_app(request: Request) -> App:
    app: App = request.app.state.csms
    return app


# The dependencies below are ``async def`` although they never await: FastAPI runs a
# plain ``def`` dependency in a worker thread, and under load each such hop waited for
# the GIL (up to the 5 ms switch interval) on every request.


async def get_services(request: Request) -> Services:
    return get_app(request).services


async def get_gateway(request: Request) -> Gateway:
    return get_app(request).gateway


class GatewayPresence:
    """:class:`~csms.services.station_views.Presence` as the gateway sees it."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    def connected(self) -> list[str]:
        return self._gateway.connected()

    def connected_since(self, station_id: str) -> datetime | None:
        connection = self._gateway.connection(station_id)
        return connection.connected_at if connection is not None else None


async def get_presence(request: Request) -> Presence:
    return GatewayPresence(get_app(request).gateway)


async def get_settings(request: Request) -> Settings:
    return get_app(request).settings


ServicesDep = Annotated[Services, Depends(get_services)]
"""The wired services: ``async def route(services: ServicesDep) -> ...``."""

GatewayDep = Annotated[Gateway, Depends(get_gateway)]
"""The OCPP gateway (who is connected, since when; CSMS-initiated calls)."""

PresenceDep = Annotated[Presence, Depends(get_presence)]
"""Who is connected, since when."""

SettingsDep = Annotated[Settings, Depends(get_settings)]

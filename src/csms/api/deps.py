"""What routes receive by dependency injection: the wired services, the gateway and the
settings of the :class:`~csms.app.App` that ``create_api`` put on ``api.state.csms``.
Nothing is a global; a test builds its own App with ``build_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from csms.gateway import Gateway
from csms.services import Services
from csms.settings import Settings

if TYPE_CHECKING:
    from csms.app import App


def get_app(request: Request) -> App:
    app: App = request.app.state.csms
    return app


def get_services(request: Request) -> Services:
    return get_app(request).services


def get_gateway(request: Request) -> Gateway:
    return get_app(request).gateway


def get_settings(request: Request) -> Settings:
    return get_app(request).settings


ServicesDep = Annotated[Services, Depends(get_services)]
"""The wired services: ``async def route(services: ServicesDep) -> ...``."""

GatewayDep = Annotated[Gateway, Depends(get_gateway)]
"""The OCPP gateway (who is connected, since when; CSMS-initiated calls)."""

SettingsDep = Annotated[Settings, Depends(get_settings)]

"""API keys as ``Authorization: Bearer <key>``, and who may call what.

    admin      everything, API keys included
    operator   stations, tags, transactions, commands, message logs
    driver     their own tags (``IdTag.owner == key.owner``) and transactions,
               read-only stations (without configuration and message log)

No key (or an unknown/revoked one) -> 401 with ``WWW-Authenticate: Bearer``; a role that
may not -> 403. In development, ``api_open_on_localhost`` lets requests from 127.0.0.1/::1
without any ``Authorization`` header in as admin.

Routes take the caller as a parameter, which also checks the role::

    @router.get("/things")
    async def things(caller: StaffKey) -> ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from csms.api.deps import ServicesDep, SettingsDep
from csms.api.errors import ApiError
from csms.domain.operations import Role

LOOPBACK = frozenset({"127.0.0.1", "::1"})

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="csms_<43 characters>",
    description="An API key from `csms apikeys create --role admin|operator|driver` "
    "(or POST /api/v1/api-keys), sent as `Authorization: Bearer csms_...`.",
)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's role, and for a driver key the owner of its tags."""

    role: Role
    key_id: int | None = None  # None: development access from localhost without a key
    name: str = ""
    owner: str | None = None

    @property
    def is_driver(self) -> bool:
        return self.role is Role.DRIVER

    @property
    def scope(self) -> str | None:
        """The owner whose tags and sessions this caller is limited to; None: everything."""
        return (self.owner or "") if self.is_driver else None


LOCALHOST_ADMIN = Principal(Role.ADMIN, None, "localhost (api_open_on_localhost)")


def unauthorized(detail: str, error: str | None = None) -> ApiError:
    challenge = "Bearer" if error is None else f'Bearer error="{error}"'
    return ApiError(401, "unauthorized", detail, headers={"WWW-Authenticate": challenge})


async def authenticate(
    request: Request,
    services: ServicesDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    """The caller, from the bearer key; raises 401."""
    if credentials is None:
        if "authorization" in request.headers:
            raise unauthorized("expected Authorization: Bearer <API key>", "invalid_request")
        if settings.api_open_on_localhost and request.client and request.client.host in LOOPBACK:
            return LOCALHOST_ADMIN
        raise unauthorized("an API key is required: Authorization: Bearer <API key>")
    key = await services.accounts.verify(credentials.credentials)
    if key is None:
        raise unauthorized("unknown or revoked API key", "invalid_token")
    return Principal(key.role, key.id, key.name, key.owner)


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (403 for the others)."""
    allowed = frozenset(roles)
    names = " or ".join(sorted(role.value for role in allowed))

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in allowed:
            raise ApiError(403, "forbidden", f"a {principal.role.value} key may not do this (needs {names})")
        return principal

    return check


AnyKey = Annotated[Principal, Depends(require(Role.ADMIN, Role.OPERATOR, Role.DRIVER))]
"""Any valid key; check ``caller.is_driver`` / ``caller.owner`` for what a driver may see."""

StaffKey = Annotated[Principal, Depends(require(Role.ADMIN, Role.OPERATOR))]
"""Admin or operator."""

AdminKey = Annotated[Principal, Depends(require(Role.ADMIN))]

"""The explicit route table of one OCPP version: action -> (request type, handler, response type).

:meth:`RouteTable.dispatch` is the whole life of a CALL from a station once the frame
is parsed: decode (= validate) the payload into its typed request, run the handler,
encode the typed response. Every failure becomes an :class:`~csms.ocpp.OcppError` with
the kind OCPP-J 1.6 §4.2.3 names:

* an action the version does not define -> NotImplemented;
* an action the version defines but csms does not handle from a station -> NotSupported;
* a payload that fails validation -> the matching *Violation;
* a handler that raises anything else -> InternalError, without internals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec
import structlog

from csms.ocpp import ErrorKind, OcppError, OcppVersion, decode, encode
from csms.services import Services

_log = structlog.get_logger(__name__)

Req = TypeVar("Req", bound=msgspec.Struct)
Resp = TypeVar("Resp", bound=msgspec.Struct)


@dataclass(frozen=True, slots=True)
class StationContext:
    """Who is calling: passed to every handler with the typed request."""

    station_id: str
    version: OcppVersion
    services: Services
    lenient: bool = False


@dataclass(frozen=True, slots=True)
class Route(Generic[Req, Resp]):
    request: type[Req]
    handler: Callable[[StationContext, Req], Awaitable[Resp]]


@dataclass(frozen=True, slots=True)
class Dispatched:
    """A handled CALL: the encoded response and the fields lenient decoding dropped."""

    payload: bytes
    dropped: list[str] = field(default_factory=list)


class RouteTable:
    """Owns the routes of one OCPP version."""

    def __init__(
        self, version: OcppVersion, routes: Mapping[str, Route[Any, Any]], defined: Collection[str]
    ) -> None:
        self.version = version
        self._routes = dict(routes)
        self._defined = frozenset(defined)

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(self._routes)

    async def dispatch(self, ctx: StationContext, action: str, payload: msgspec.Raw) -> Dispatched:
        """Handle one CALL; raises :class:`OcppError` for every failure."""
        route = self._routes.get(action)
        if route is None:
            if action in self._defined:
                raise OcppError(ErrorKind.NOT_SUPPORTED, f"{action} is not supported by csms")
            raise OcppError(ErrorKind.NOT_IMPLEMENTED, f"unknown action {action!r}")
        dropped: list[str] = []
        request = decode(payload, route.request, lenient=ctx.lenient, dropped=dropped)
        try:
            response = await route.handler(ctx, request)
        except OcppError:
            raise
        except Exception:
            _log.exception("handler.failed", station_id=ctx.station_id, action=action)
            raise OcppError(ErrorKind.INTERNAL, "csms could not process the request") from None
        return Dispatched(encode(response), dropped)

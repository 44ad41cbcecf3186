"""The port through which services reach stations: the gateway implements it.

The gateway is built after the services (it needs them to answer stations), so the
composition root binds it afterwards (:meth:`LateBoundCaller.bind`).
"""

from __future__ import annotations

from typing import Protocol, TypeVar

import msgspec

_R = TypeVar("_R", bound=msgspec.Struct)


class StationCaller(Protocol):
    async def call(
        self,
        station_id: str,
        action: str,
        request: msgspec.Struct,
        response_type: type[_R],
        timeout: float | None = None,
    ) -> _R:
        """Send ``request`` and return the station's typed answer.

        Raises the gateway's CommandError subclasses: StationOffline, CommandTimeout,
        StationCallError (and OcppError for an answer that breaks the schema)."""
        ...


class LateBoundCaller:
    """A StationCaller that forwards to the one bound later."""

    def __init__(self) -> None:
        self._target: StationCaller | None = None

    def bind(self, target: StationCaller) -> None:
        self._target = target

    async def call(
        self,
        station_id: str,
        action: str,
        request: msgspec.Struct,
        response_type: type[_R],
        timeout: float | None = None,
    ) -> _R:
        if self._target is None:
            raise RuntimeError("no gateway bound to the command service")
        return await self._target.call(station_id, action, request, response_type, timeout)

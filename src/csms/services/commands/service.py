"""Send a command to a station and return its own answer (OCPP 1.6 §5, security extension).

:meth:`CommandService.send` is the one way the API reaches a station: the request is
already typed (validated), the gateway sends it (one outstanding call per connection,
queued behind earlier ones) and the station's typed answer comes back, or one of the
gateway's CommandError subclasses is raised unchanged (offline, timeout, CALLERROR).
A request that breaks the schema raises InvalidCommand before anything is sent.
Answers that change what csms knows are remembered (:mod:`.state`); every outcome is
published on the event bus (``command.answered`` / ``command.failed``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
import structlog

from csms.domain.operations import InstalledCertificate
from csms.services.clock import Clock
from csms.services.commands import state
from csms.services.commands.catalog import COMMANDS
from csms.services.commands.port import LateBoundCaller, StationCaller
from csms.services.commands.validation import check
from csms.services.events import EventBus, EventType
from csms.storage import StationStateStore

_log = structlog.get_logger(__name__)
_R = TypeVar("_R", bound=msgspec.Struct)

Observer = Callable[[str, Any, Any], Awaitable[None]]
"""Called with (station_id, request, response) after every answer."""


class UnknownCommand(LookupError):
    """Not an action a central system sends."""


def action_of(request: msgspec.Struct) -> str:
    """The OCPP action of a typed request (``ResetRequest`` -> ``Reset``)."""
    action = type(request).__name__.removesuffix("Request")
    if action not in COMMANDS or COMMANDS[action].request is not type(request):
        raise UnknownCommand(f"{type(request).__name__} is not a CSMS-initiated request")
    return action


class CommandService:
    def __init__(
        self,
        station_state: StationStateStore,
        events: EventBus,
        clock: Clock,
        caller: StationCaller | None = None,
    ) -> None:
        self._state = station_state
        self._events = events
        self._clock = clock
        self._caller = LateBoundCaller()
        self._observers: list[Observer] = []
        if caller is not None:
            self._caller.bind(caller)

    def bind(self, caller: StationCaller) -> None:
        """Reach stations through ``caller`` (the gateway, bound by the composition root)."""
        self._caller.bind(caller)

    def observe(self, observer: Observer) -> None:
        """Run ``observer`` after every answer (e.g. reservations on CancelReservation)."""
        self._observers.append(observer)

    async def installed_certificates(self, station_id: str) -> list[InstalledCertificate]:
        """The certificates csms learnt the station has installed (see :mod:`.state`)."""
        return await self._state.certificates(station_id)

    async def send(
        self, station_id: str, request: msgspec.Struct, timeout: float | None = None
    ) -> msgspec.Struct:
        """Send any CSMS-initiated request; returns the station's typed answer."""
        action = action_of(request)
        return await self._call(station_id, action, request, COMMANDS[action].response, timeout)

    async def call(
        self,
        station_id: str,
        request: msgspec.Struct,
        response_type: type[_R],
        timeout: float | None = None,
    ) -> _R:
        """:meth:`send` with the answer's type known to the caller."""
        action = action_of(request)
        if COMMANDS[action].response is not response_type:
            raise TypeError(f"{action} is answered by {COMMANDS[action].response.__name__}")
        return await self._call(station_id, action, request, response_type, timeout)

    async def _call(
        self,
        station_id: str,
        action: str,
        request: msgspec.Struct,
        response_type: type[_R],
        timeout: float | None,
    ) -> _R:
        check(request)
        try:
            response = await self._caller.call(station_id, action, request, response_type, timeout)
        except Exception as error:
            self._events.publish(
                EventType.COMMAND_FAILED,
                station_id,
                {"action": action, "error": type(error).__name__, "detail": str(error)},
            )
            raise
        await state.record(self._state, station_id, request, response, self._clock.now())
        for observer in self._observers:
            await observer(station_id, request, response)
        self._events.publish(
            EventType.COMMAND_ANSWERED,
            station_id,
            {"action": action, "response": msgspec.to_builtins(response)},
        )
        _log.info("command.answered", station_id=station_id, action=action)
        return response

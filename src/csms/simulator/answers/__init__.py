"""How the station answers the central system's calls, as a real 1.6 station does (OCPP 1.6 §5).

One function per action, grouped by feature profile, each returning an
:class:`Answer`: the response and, where the spec has the station act after
answering, a follow-up (``then``) run once the response is out — e.g.
RemoteStartTransaction.conf ``Accepted`` and then the StartTransaction it promised.
:func:`routes` is the explicit table from action to function.

:class:`Responder` answers one call: a scripted answer first (see
:mod:`csms.simulator.scripting`), else the route. An action outside the 1.6 tables is
answered ``NotImplemented``; a 1.6 action the station does not take (a station-to-CSMS
message, the security extension) ``NotSupported``; a payload that breaks the schema
the matching ``*Violation`` (OCPP-J 1.6 §4.2.3).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from csms.ocpp import CallReceived, ErrorKind, OcppError, decode, encode
from csms.ocpp.messages import v16
from csms.simulator.answers import core, firmware, local_auth, reservation, smart_charging
from csms.simulator.answers.common import Answer
from csms.simulator.link import Link
from csms.simulator.scripting import ScriptedAnswer

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation

Handler = Callable[["SimulatedStation", Any], Answer]


def routes() -> dict[str, Handler]:
    """Action → handler, for every central-system-initiated 1.6 action the station takes."""
    return {
        "CancelReservation": reservation.cancel_reservation,
        "ChangeAvailability": core.change_availability,
        "ChangeConfiguration": core.change_configuration,
        "ClearCache": core.clear_cache,
        "ClearChargingProfile": smart_charging.clear_charging_profile,
        "DataTransfer": core.data_transfer,
        "GetCompositeSchedule": smart_charging.get_composite_schedule,
        "GetConfiguration": core.get_configuration,
        "GetDiagnostics": firmware.get_diagnostics,
        "GetLocalListVersion": local_auth.get_local_list_version,
        "RemoteStartTransaction": core.remote_start_transaction,
        "RemoteStopTransaction": core.remote_stop_transaction,
        "ReserveNow": reservation.reserve_now,
        "Reset": core.reset,
        "SendLocalList": local_auth.send_local_list,
        "SetChargingProfile": smart_charging.set_charging_profile,
        "TriggerMessage": core.trigger_message,
        "UnlockConnector": core.unlock_connector,
        "UpdateFirmware": firmware.update_firmware,
    }


class Responder:
    """Answers the central system's calls for one station."""

    def __init__(self, station: SimulatedStation) -> None:
        self._station = station
        self._routes = routes()

    async def handle(self, link: Link, event: CallReceived) -> None:
        """Answer ``event`` on the link it came on, then run the follow-up if any."""
        station = self._station
        scripted = station.scripts.take(event.action)
        if scripted is not None and scripted.delay:
            await asyncio.sleep(scripted.delay)
        if scripted is not None and scripted.no_answer:
            station.emit(f"{event.action} from the central system: left unanswered (scripted)")
            return
        try:
            answer = self.answer(event, scripted)
        except OcppError as error:
            link.reply_error(event.unique_id, error.kind, error.description)
            station.emit(f"{event.action} from the central system → {error.kind.value}")
            return
        link.reply(event.unique_id, encode(answer.response))
        station.emit(f"{event.action} from the central system → {answer.summary}")
        if answer.then is not None:
            await asyncio.sleep(station.config.action_delay)
            await answer.then()

    def answer(self, event: CallReceived, scripted: ScriptedAnswer | None) -> Answer:
        """The answer to one call; raises OcppError when it must be a CALLERROR."""
        if scripted is not None and scripted.error is not None:
            raise OcppError(scripted.error, scripted.description)
        request_type = v16.REQUESTS.get(event.action)
        if request_type is None:
            raise OcppError(ErrorKind.NOT_IMPLEMENTED, f"unknown action {event.action}")
        request = decode(event.payload, request_type)
        if scripted is not None and scripted.response is not None:
            return Answer(scripted.response, "scripted response")
        if scripted is not None and scripted.status is not None:
            response = msgspec.convert({"status": scripted.status}, v16.RESPONSES[event.action])
            return Answer(response, f"{scripted.status} (scripted)")
        handler = self._routes.get(event.action)
        if handler is None:
            raise OcppError(ErrorKind.NOT_SUPPORTED, f"{event.action} is not supported")
        return handler(self._station, request)


__all__ = ["Answer", "Handler", "Responder", "routes"]

"""Local Auth List Management profile calls (OCPP 1.6 §5.10, §5.15)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from csms.ocpp.messages import v16
from csms.simulator.answers.common import Answer, answer

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation


def send_local_list(station: SimulatedStation, request: v16.SendLocalListRequest) -> Answer:
    """Full replaces the list, Differential updates it; too long a list Failed (§5.15)."""
    entries = request.local_authorization_list or []
    if len(entries) > station.configuration.get_int("SendLocalListMaxLength"):
        return answer(v16.SendLocalListResponse(status="Failed"))
    if request.update_type == "Full":
        station.local_list.clear()
    for entry in entries:
        if entry.id_tag_info is msgspec.UNSET:
            station.local_list.pop(entry.id_tag, None)
        else:
            station.local_list[entry.id_tag] = entry.id_tag_info
    station.local_list_version = request.list_version
    return answer(v16.SendLocalListResponse(status="Accepted"))


def get_local_list_version(
    station: SimulatedStation, request: v16.GetLocalListVersionRequest
) -> Answer:
    """The version of the local list, 0 when there is none (§5.10)."""
    version = station.local_list_version
    return Answer(v16.GetLocalListVersionResponse(list_version=version), f"version {version}")

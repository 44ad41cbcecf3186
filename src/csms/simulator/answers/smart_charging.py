"""Smart Charging profile calls (OCPP 1.6 §5.16 SetChargingProfile, §5.5 ClearChargingProfile,
§5.7 GetCompositeSchedule). How limits follow from profiles: :mod:`csms.simulator.profiles`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from csms.ocpp.messages import v16
from csms.simulator import profiles
from csms.simulator.answers.common import Answer, answer, valid_connector

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation


def set_charging_profile(
    station: SimulatedStation, request: v16.SetChargingProfileRequest
) -> Answer:
    """Store the profile where the spec allows it and apply its limit (§5.16).

    A profile replaces one with the same id, or with the same purpose and stack level.
    """
    profile, connector_id = request.cs_charging_profiles, request.connector_id
    if not _allowed(station, connector_id, profile):
        return answer(v16.SetChargingProfileResponse(status="Rejected"))
    installed = station.connector(connector_id).profiles
    slot = (profile.stack_level, profile.charging_profile_purpose)
    for profile_id, old in list(installed.items()):
        if profile_id == profile.charging_profile_id or (
            (old.stack_level, old.charging_profile_purpose) == slot
        ):
            del installed[profile_id]
    installed[profile.charging_profile_id] = profile
    _apply_limits(station)
    return answer(v16.SetChargingProfileResponse(status="Accepted"))


def _allowed(station: SimulatedStation, connector_id: int, profile: v16.ChargingProfile) -> bool:
    if not valid_connector(station, connector_id):
        return False
    purpose = profile.charging_profile_purpose
    if purpose == "ChargePointMaxProfile":
        return connector_id == 0
    if purpose == "TxProfile":  # only for a running transaction, and the right one
        tx = station.transaction(connector_id) if connector_id else None
        return tx is not None and profile.transaction_id in (msgspec.UNSET, tx.transaction_id)
    return True


def clear_charging_profile(
    station: SimulatedStation, request: v16.ClearChargingProfileRequest
) -> Answer:
    """Remove the matching profiles: Accepted if there were any, else Unknown (§5.5)."""
    ids = [0, *station.connectors]
    if request.connector_id is not msgspec.UNSET:
        ids = [request.connector_id] if valid_connector(station, request.connector_id) else []
    removed = False
    for connector_id in ids:
        installed = station.connector(connector_id).profiles
        for profile_id, profile in list(installed.items()):
            if _matches(request, profile_id, profile):
                del installed[profile_id]
                removed = True
    _apply_limits(station)
    status: v16.ClearChargingProfileStatus = "Accepted" if removed else "Unknown"
    return answer(v16.ClearChargingProfileResponse(status=status))


def _matches(
    request: v16.ClearChargingProfileRequest, profile_id: int, profile: v16.ChargingProfile
) -> bool:
    """ClearChargingProfile.req criteria (§6.17): the id alone, or purpose and stack level."""
    if request.id is not msgspec.UNSET:
        return profile_id == request.id
    purpose, level = request.charging_profile_purpose, request.stack_level
    return (purpose is msgspec.UNSET or profile.charging_profile_purpose == purpose) and (
        level is msgspec.UNSET or profile.stack_level == level
    )


def get_composite_schedule(
    station: SimulatedStation, request: v16.GetCompositeScheduleRequest
) -> Answer:
    """One period at the limit in force over ``duration`` (§5.7)."""
    if not valid_connector(station, request.connector_id):
        return answer(v16.GetCompositeScheduleResponse(status="Rejected"))
    connector = station.connector(request.connector_id)
    meter = connector.meter
    limit = profiles.effective_limit(
        connector.profiles.values(),
        station.connector(0).profiles.values(),
        meter.voltage,
        connector.transaction is not None,
    )
    response = profiles.composite_schedule(
        request.connector_id,
        request.duration,
        request.charging_rate_unit or "A",
        meter.max_current if limit is None else min(limit, meter.max_current),
        meter.voltage,
        station.clock(),
    )
    return answer(response)


def _apply_limits(station: SimulatedStation) -> None:
    for connector_id in station.connectors:
        station.apply_limits(connector_id)

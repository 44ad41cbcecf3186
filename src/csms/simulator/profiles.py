"""Charging profiles as a simple station applies them (OCPP 1.6 §3.13, §5.16, §5.5, §5.7).

Simplified on purpose: the limit in force is the first period of the highest-stack
profile of each purpose, ``TxProfile`` over ``TxDefaultProfile``, capped by the
station-wide ``ChargePointMaxProfile``; a limit in W becomes A at the meter's voltage
(one phase). Recurrence, validity windows and later periods are not simulated.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from csms.ocpp.messages import v16


def top(profiles: Iterable[v16.ChargingProfile], purpose: str) -> v16.ChargingProfile | None:
    """The profile of ``purpose`` with the highest stack level (1.6 §3.13.2), or None."""
    matching = [p for p in profiles if p.charging_profile_purpose == purpose]
    return max(matching, key=lambda p: p.stack_level) if matching else None


def limit_amps(profile: v16.ChargingProfile, voltage: float) -> float | None:
    """The current limit of the profile's first period, in A."""
    schedule = profile.charging_schedule
    if not schedule.charging_schedule_period:
        return None
    limit = schedule.charging_schedule_period[0].limit
    return limit if schedule.charging_rate_unit == "A" else limit / voltage


def effective_limit(
    connector: Iterable[v16.ChargingProfile],
    station: Iterable[v16.ChargingProfile],
    voltage: float,
    in_transaction: bool,
) -> float | None:
    """The current limit in A for a connector, or None when no profile limits it."""
    connector, station = list(connector), list(station)
    chosen = top(connector, "TxProfile") if in_transaction else None
    chosen = chosen or top(connector, "TxDefaultProfile") or top(station, "TxDefaultProfile")
    limits = [limit_amps(p, voltage) for p in (chosen, top(station, "ChargePointMaxProfile")) if p]
    known = [limit for limit in limits if limit is not None]
    return min(known) if known else None


def composite_schedule(
    connector_id: int,
    duration: int,
    unit: v16.ChargingRateUnit,
    limit_a: float,
    voltage: float,
    start: datetime,
) -> v16.GetCompositeScheduleResponse:
    """GetCompositeSchedule.conf (1.6 §6.27): one period at the limit in force, in ``unit``."""
    value = limit_a if unit == "A" else limit_a * voltage
    period = v16.ChargingSchedulePeriod(start_period=0, limit=round(value, 1))
    schedule = v16.ChargingSchedule(
        duration=duration,
        start_schedule=start,
        charging_rate_unit=unit,
        charging_schedule_period=[period],
    )
    return v16.GetCompositeScheduleResponse(
        status="Accepted",
        connector_id=connector_id,
        schedule_start=start,
        charging_schedule=schedule,
    )

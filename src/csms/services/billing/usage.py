"""What a session used: its energy curve and when charging ended (docs/billing.md).

* **Energy** comes from the meter register: the transaction's meterStart at its start,
  every ``Energy.Active.Import.Register`` reading (whole-meter, no phase; Wh or kWh) in
  between, and meterStop at its stop. The curve never goes down and never passes
  meterStop, so the energy billed is exactly meterStop - meterStart.
* **Charging ends** at the last sign of charging: a reading where the register rose (or,
  when the connector left ``Charging`` between that reading and the one before, the moment
  it left), a ``Power.Active.Import`` sample above zero, or the end of a ``Charging``
  status. Charging time runs from the start to that moment — short pauses included — and
  idle time from that moment to the stop. Without any sign, charging ended at the start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from csms.domain import ConnectorStatus, MeterSample, StatusEvent

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"


@dataclass(frozen=True, slots=True)
class EnergyPoint:
    at: datetime
    wh: Decimal  # register value, Wh


@dataclass(frozen=True, slots=True)
class Usage:
    """A session from ``started_at`` to ``ended_at`` with its register curve."""

    started_at: datetime
    ended_at: datetime
    charging_end: datetime
    points: tuple[EnergyPoint, ...]

    @property
    def energy_wh(self) -> Decimal:
        return self.points[-1].wh - self.points[0].wh

    @property
    def charging(self) -> timedelta:
        return self.charging_end - self.started_at

    @property
    def idle(self) -> timedelta:
        return self.ended_at - self.charging_end


def usage_of(
    started_at: datetime,
    meter_start: Decimal,
    ended_at: datetime,
    meter_end: Decimal | None,
    samples: Iterable[MeterSample],
    statuses: Sequence[StatusEvent] = (),
) -> Usage:
    """The usage of a session. ``meter_end`` None: the session still runs and
    ``ended_at`` is the moment of the estimate (the newest reading)."""
    ended_at = max(ended_at, started_at)
    samples = [s for s in samples if started_at <= s.timestamp <= ended_at and s.phase is None]
    points = _curve(started_at, meter_start, ended_at, meter_end, samples)
    leaves = _charging_leaves(statuses)
    signs = [_rise_sign(before, after, leaves) for before, after in pairwise(points)]
    signs += [s.timestamp for s in samples if s.measurand == POWER and (_number(s) or 0) > 0]
    signs += _charging_status_ends(statuses, ended_at)
    found = [sign for sign in signs if sign is not None]
    charging_end = min(max(found, default=started_at), ended_at)
    return Usage(started_at, ended_at, max(charging_end, started_at), tuple(points))


def _curve(
    started_at: datetime,
    meter_start: Decimal,
    ended_at: datetime,
    meter_end: Decimal | None,
    samples: Sequence[MeterSample],
) -> list[EnergyPoint]:
    readings = sorted(
        (s.timestamp, wh)
        for s in samples
        if s.measurand == ENERGY and (wh := _energy_wh(s)) is not None
    )
    ceiling = None if meter_end is None else max(meter_end, meter_start)
    points = [EnergyPoint(started_at, meter_start)]
    for at, wh in readings:
        level = max(points[-1].wh, wh)
        points.append(EnergyPoint(at, level if ceiling is None else min(level, ceiling)))
    final = points[-1].wh if ceiling is None else ceiling
    points.append(EnergyPoint(ended_at, final))
    return points


def _rise_sign(
    before: EnergyPoint, after: EnergyPoint, leaves: Sequence[datetime]
) -> datetime | None:
    """Where a rise of the register between two readings says charging went on until."""
    if after.wh <= before.wh:
        return None
    inside = [leave for leave in leaves if before.at < leave <= after.at]
    return inside[-1] if inside else after.at


def _ordered(statuses: Sequence[StatusEvent]) -> list[tuple[datetime, ConnectorStatus]]:
    return sorted((e.timestamp or e.received_at, e.status) for e in statuses)


def _charging_leaves(statuses: Sequence[StatusEvent]) -> list[datetime]:
    """Moments the connector went from Charging to another status."""
    ordered = _ordered(statuses)
    return [
        at
        for (_, was), (at, now) in pairwise(ordered)
        if was is ConnectorStatus.CHARGING and now is not ConnectorStatus.CHARGING
    ]


def _charging_status_ends(statuses: Sequence[StatusEvent], ended_at: datetime) -> list[datetime]:
    ordered = _ordered(statuses)
    ends = []
    for index, (_, status) in enumerate(ordered):
        if status is ConnectorStatus.CHARGING:
            ends.append(ordered[index + 1][0] if index + 1 < len(ordered) else ended_at)
    return ends


def _number(sample: MeterSample) -> Decimal | None:
    try:
        value = Decimal(sample.value)
    except InvalidOperation:
        return None  # signed data, or garbage
    return value if value.is_finite() else None


def _energy_wh(sample: MeterSample) -> Decimal | None:
    value = _number(sample)
    if value is None or (sample.unit or "Wh") not in ("Wh", "kWh"):
        return None
    return value * 1000 if sample.unit == "kWh" else value

"""Cutting a stretch of time where the applicable time-of-use period changes.

Periods are wall-clock times in the tariff's time zone (``zoneinfo``); the stretch and the
slices are UTC. Daylight-saving changes are honoured: on the night the clocks go back,
the repeated hour counts twice in UTC (it happened twice), and a period boundary that
falls in a spring-forward gap starts the period at the first instant after the gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from csms.domain.billing import TariffSpec, TimeOfUsePeriod


@dataclass(frozen=True, slots=True)
class Slice:
    """[start, end) in UTC during which ``period`` applies (None: the base prices)."""

    start: datetime
    end: datetime
    period: TimeOfUsePeriod | None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def active_period(spec: TariffSpec, moment: datetime) -> TimeOfUsePeriod | None:
    """The first period of ``spec`` that covers ``moment`` in the tariff's time zone."""
    if not spec.periods:
        return None
    local = moment.astimezone(ZoneInfo(spec.time_zone))
    return next((p for p in spec.periods if p.covers(local)), None)


def split(spec: TariffSpec, start: datetime, end: datetime) -> list[Slice]:
    """[start, end) as consecutive slices, one per change of the applicable period.
    Empty when ``end <= start``."""
    if end <= start:
        return []
    if not spec.periods:
        return [Slice(start, end, None)]
    zone = ZoneInfo(spec.time_zone)
    slices: list[Slice] = []
    cursor = start
    while cursor < end:
        period = active_period(spec, cursor)
        step = min(_next_boundary(spec, cursor, zone), end)
        if slices and slices[-1].period == period:
            slices[-1] = Slice(slices[-1].start, step, period)
        else:
            slices.append(Slice(cursor, step, period))
        cursor = step
    return slices


def _next_boundary(spec: TariffSpec, cursor: datetime, zone: ZoneInfo) -> datetime:
    """The first instant after ``cursor`` at which some period may start or end."""
    day = cursor.astimezone(zone).date()
    return min(instant for instant in _wall_instants(spec, day, zone) if instant > cursor)


def _wall_instants(spec: TariffSpec, day: date, zone: ZoneInfo) -> Iterator[datetime]:
    """UTC instants of every period edge on the local ``day`` and the next day (both
    folds, so an edge in a repeated hour is found either time)."""
    edges = {time(0)} | {p.start for p in spec.periods} | {p.end for p in spec.periods}
    for edge in edges:
        for when in (day, day + timedelta(days=1)):
            wall = datetime.combine(when, edge)
            for fold in (0, 1):
                yield wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)

"""The power (kW) and energy (kWh) curves of a session, from its meter values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup

from csms.domain import MeterSample, Transaction
from csms.web.i18n import Formatter
from csms.web.svg import Series, line_chart

POWER = "Power.Active.Import"
ENERGY = "Energy.Active.Import.Register"
_SCALE = {"W": 1.0, "kW": 1000.0, "Wh": 1.0, "kWh": 1000.0}


@dataclass(frozen=True, slots=True)
class Curves:
    power_w: list[tuple[datetime, float]]
    energy_wh: list[tuple[datetime, float]]  # delivered since the start

    @property
    def last_power_w(self) -> float | None:
        return self.power_w[-1][1] if self.power_w else None

    @property
    def last_energy_wh(self) -> float | None:
        return self.energy_wh[-1][1] if self.energy_wh else None


def _number(sample: MeterSample, default_unit: str) -> float | None:
    try:
        value = float(sample.value)
    except ValueError:
        return None
    return value * _SCALE.get(sample.unit or default_unit, 1.0)


def curves(transaction: Transaction, samples: Sequence[MeterSample]) -> Curves:
    """Whole-meter readings only (no per-phase values), in time order."""
    power: list[tuple[datetime, float]] = []
    energy: list[tuple[datetime, float]] = []
    for sample in samples:
        if sample.phase is not None or sample.location not in (None, "Outlet"):
            continue
        if sample.measurand == POWER:
            watts = _number(sample, "W")
            if watts is not None:
                power.append((sample.timestamp, watts))
        elif sample.measurand == ENERGY:
            wh = _number(sample, "Wh")
            if wh is not None:
                energy.append((sample.timestamp, max(wh - transaction.meter_start, 0.0)))
    power.sort(key=lambda point: point[0])
    energy.sort(key=lambda point: point[0])
    return Curves(power, energy)


def chart(
    transaction: Transaction, found: Curves, fmt: Formatter, power_label: str, energy_label: str,
    empty: str,
) -> Markup:
    start = transaction.started_at

    def points(values: list[tuple[datetime, float]], scale: float) -> list[tuple[float, float]]:
        return [((at - start).total_seconds(), value / scale) for at, value in values]

    power, energy = points(found.power_w, 1000.0), points(found.energy_wh, 1000.0)
    xs = [x for x, _ in power + energy]
    ticks: list[tuple[float, str]] = []
    if xs:
        low, high = min(xs), max(xs)
        steps = 4 if high > low else 0
        for i in range(steps + 1):
            x = low + (high - low) * i / max(steps, 1)
            ticks.append((x, fmt.time(start + timedelta(seconds=x))))
    return line_chart(
        [Series(power_label, power, "left", "s1"), Series(energy_label, energy, "right", "s2")],
        x_ticks=ticks,
        title=f"{power_label} / {energy_label}",
        empty=empty,
    )

"""A plausible energy meter for one connector (what MeterValues report, OCPP 1.6 §4.7, §7.31).

Single phase: while charging, the EV draws the current offered (the station's limit,
lowered by a charging profile, 1.6 §3.13), power is voltage × current, and the
cumulative Energy.Active.Import.Register integrates power over (monotonic) time,
optionally sped up by ``time_scale`` (for demos and tests that want real Wh fast). The
register survives transactions, like a real meter: meterStart of the next transaction
is meterStop of the last one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reading:
    """One sample of every quantity the simulator can report, with its 1.6 unit."""

    voltage: float  # V
    current_import: float  # A
    power_active_import: float  # W
    current_offered: float  # A
    energy_active_import_register: float  # Wh

    def by_measurand(self) -> dict[str, tuple[str, str]]:
        """Measurand name → (value as the SampledValue string, UnitOfMeasure)."""
        return {
            "Voltage": (f"{self.voltage:.2f}", "V"),
            "Current.Import": (f"{self.current_import:.2f}", "A"),
            "Power.Active.Import": (f"{self.power_active_import:.0f}", "W"),
            "Current.Offered": (f"{self.current_offered:.0f}", "A"),
            "Energy.Active.Import.Register": (f"{self.energy_active_import_register:.3f}", "Wh"),
        }


@dataclass(slots=True)
class EnergyMeter:
    """The connector's meter. ``now`` is seconds on a monotonic clock."""

    voltage: float = 230.0
    max_current: float = 32.0
    register_wh: float = 0.0
    time_scale: float = 1.0  # meter seconds per real second (> 1 to charge faster)
    limit_a: float | None = None
    charging: bool = False
    _last: float | None = None

    @property
    def current_offered(self) -> float:
        """The station's limit, lowered by a charging profile's limit if one applies."""
        return self.max_current if self.limit_a is None else min(self.max_current, self.limit_a)

    @property
    def current_import(self) -> float:
        return self.current_offered if self.charging else 0.0

    @property
    def power(self) -> float:
        return self.voltage * self.current_import

    def advance(self, now: float) -> None:
        """Integrate energy up to ``now``."""
        if self._last is not None and now > self._last:
            self.register_wh += self.power * (now - self._last) * self.time_scale / 3600.0
        self._last = now

    def start(self, now: float) -> None:
        """The EV starts drawing current."""
        self.advance(now)
        self.charging = True

    def stop(self, now: float) -> None:
        """The EV stops drawing current."""
        self.advance(now)
        self.charging = False

    def limit(self, amps: float | None, now: float) -> None:
        """Apply (or lift, with None) a current limit from a charging profile."""
        self.advance(now)
        self.limit_a = amps

    def read(self, now: float) -> Reading:
        """Sample every quantity at ``now``."""
        self.advance(now)
        return Reading(
            voltage=self.voltage,
            current_import=self.current_import,
            power_active_import=self.power,
            current_offered=self.current_offered,
            energy_active_import_register=self.register_wh,
        )

    def meter_value_wh(self, now: float) -> int:
        """The register as an integer Wh, as meterStart/meterStop carry it (1.6 §6.45, §6.49)."""
        self.advance(now)
        return int(self.register_wh)

"""How a simulated station is set up: where it connects and how it behaves."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import urlsplit

SUPPORTED_VERSIONS = ("1.6",)


def station_id_from_url(url: str) -> str:
    """The last path segment of ``ws(s)://host/ocpp/{stationId}`` (OCPP-J 1.6 §3.1.1)."""
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    if not segment:
        raise ValueError(f"{url!r} does not end with a station id")
    return segment


@dataclass(frozen=True, slots=True)
class StationConfig:
    """A simulated station. ``station_id`` defaults to the URL's last path segment.

    Times are in seconds. ``boot_attempts`` bounds how often a Pending/Rejected
    BootNotification is retried (1.6 §4.2; 0 means forever); ``boot_retry_interval``
    overrides the wait the central system asks for (its ``interval``, or 10 s if 0).
    ``meter_samples`` and ``charge_seconds`` end the ``charge`` scenario: after that many
    MeterValues, or that long charging, whichever is set (samples win if both are).
    ``action_delay`` is the pause between answering the central system and acting on it
    (remote start, reset, trigger). ``meter_time_scale`` makes the meter count that many
    seconds of charging per real second.
    """

    url: str
    station_id: str = ""
    version: str = "1.6"
    connectors: int = 2
    id_tag: str = "SIMTAG01"
    meter_interval: float = 30.0
    password: str | None = None
    vendor: str = "csms"
    model: str = "Simulator"
    serial_number: str | None = None
    firmware_version: str = "0.1.0"
    heartbeat_interval: float = 60.0  # until the central system says otherwise
    boot_attempts: int = 3
    boot_retry_interval: float | None = None
    call_timeout: float = 30.0
    action_delay: float = 0.1  # pause before a follow-up (remote start, reboot, trigger)
    meter_samples: int | None = 3
    charge_seconds: float | None = None
    voltage: float = 230.0
    max_current: float = 32.0
    meter_time_scale: float = 1.0  # meter seconds per real second

    def __post_init__(self) -> None:
        if not self.station_id:
            object.__setattr__(self, "station_id", station_id_from_url(self.url))
        if self.version not in SUPPORTED_VERSIONS:
            raise ValueError(f"OCPP {self.version} is not simulated yet (only 1.6)")
        if self.connectors < 1:
            raise ValueError("a station has at least one connector")
        if self.meter_interval < 0 or self.heartbeat_interval <= 0 or self.meter_time_scale <= 0:
            raise ValueError("intervals and the meter time scale must be positive")

    def replace(self, **changes: object) -> StationConfig:
        """A copy with ``changes``; the station id is derived again if the URL changes."""
        if "url" in changes and "station_id" not in changes:
            changes["station_id"] = ""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

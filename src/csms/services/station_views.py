"""What the API shows of stations: registration and boot data, who is online since when,
connectors with their live status, and what csms remembers of each station's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from csms.domain import RegistrationStatus, Station, StatusEvent
from csms.domain.operations import ConfigurationEntry, ConnectorAvailability
from csms.storage import StationStateStore, StationStore, StatusStore


class Presence(Protocol):
    """Who is connected now (the gateway knows; services must not import it)."""

    def connected(self) -> list[str]: ...

    def connected_since(self, station_id: str) -> datetime | None:
        """When the open connection was accepted; None when offline."""
        ...


@dataclass(frozen=True, slots=True)
class StationFilter:
    status: RegistrationStatus | None = None
    online: bool | None = None
    vendor: str | None = None  # case-insensitive


@dataclass(frozen=True, slots=True)
class StationView:
    """A station as listed (``connectors`` and the state lists empty) or in detail."""

    station: Station
    online_since: datetime | None
    connectors: tuple[StatusEvent, ...] = ()
    configuration: tuple[ConfigurationEntry, ...] = ()
    availability: tuple[ConnectorAvailability, ...] = ()

    @property
    def online(self) -> bool:
        return self.online_since is not None


class StationViews:
    def __init__(
        self, stations: StationStore, statuses: StatusStore, state: StationStateStore
    ) -> None:
        self._stations = stations
        self._statuses = statuses
        self._state = state

    async def search(
        self, flt: StationFilter, presence: Presence, *, limit: int = 100, offset: int = 0
    ) -> list[StationView]:
        """Ordered by id."""
        online = set(presence.connected())
        vendor = flt.vendor.casefold() if flt.vendor is not None else None
        found = [
            station
            for station in await self._stations.all()
            if (flt.status is None or station.registration_status is flt.status)
            and (flt.online is None or (station.id in online) == flt.online)
            and (vendor is None or (station.vendor or "").casefold() == vendor)
        ]
        return [
            StationView(station, presence.connected_since(station.id))
            for station in found[offset : offset + limit]
        ]

    async def detail(
        self, station_id: str, presence: Presence, *, with_state: bool = True
    ) -> StationView | None:
        """The station with connectors; configuration and availability when ``with_state``."""
        station = await self._stations.get(station_id)
        if station is None:
            return None
        connectors = tuple(await self._statuses.current(station_id))
        if not with_state:
            return StationView(station, presence.connected_since(station_id), connectors)
        return StationView(
            station,
            presence.connected_since(station_id),
            connectors,
            tuple(await self._state.configuration(station_id)),
            tuple(await self._state.availability(station_id)),
        )

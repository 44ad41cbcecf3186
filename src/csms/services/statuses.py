"""Connector status and station-reported progress (OCPP 1.6 §4.9 StatusNotification,
§4.4 DiagnosticsStatusNotification, §4.5 FirmwareStatusNotification)."""

from __future__ import annotations

import dataclasses

from csms.domain import StatusEvent
from csms.services.clock import Clock
from csms.services.events import EventBus, EventType, status_json
from csms.services.write_behind import WriteBehind
from csms.storage import StationStore, StatusStore


class StatusService:
    def __init__(
        self,
        stations: StationStore,
        statuses: StatusStore,
        write_behind: WriteBehind,
        clock: Clock,
        events: EventBus | None = None,
    ) -> None:
        self._events = events
        self._stations = stations
        self._statuses = statuses
        self._write_behind = write_behind
        self._clock = clock

    async def connector_status(self, event: StatusEvent) -> None:
        """Store a status change (history and current), committed before the answer."""
        await self._write_behind.store_statuses([event])
        if self._events is not None:
            self._events.publish(EventType.STATUS_CHANGED, event.station_id, status_json(event))

    async def current_all(self) -> list[StatusEvent]:
        """The current status of every connector of every station."""
        return await self._statuses.current_all()

    async def recent_faults(self, limit: int = 10) -> list[StatusEvent]:
        """The newest fault reports of every station, newest first (history, not only now)."""
        return await self._statuses.recent_faults(limit)

    async def current(self, station_id: str) -> list[StatusEvent]:
        return await self._statuses.current(station_id)

    async def firmware_status(self, station_id: str, status: str) -> None:
        await self._update_station(station_id, firmware_status=status)

    async def diagnostics_status(self, station_id: str, status: str) -> None:
        await self._update_station(station_id, diagnostics_status=status)

    async def _update_station(self, station_id: str, **changes: str) -> None:
        station = await self._stations.get(station_id)
        if station is not None:
            await self._stations.update(dataclasses.replace(station, **changes))  # type: ignore[arg-type]

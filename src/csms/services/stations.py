"""Provisioning and liveness of stations: registration, boot, heartbeat (OCPP 1.6 §4.2, §4.6).

Version-neutral: 1.6 and 2.0.1 handlers both call these methods.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from csms.domain import RegistrationStatus, Station
from csms.services.clock import Clock
from csms.services.directory import StationDirectory
from csms.services.passwords import hash_password
from csms.services.unchanged import UNCHANGED, Unchanged
from csms.services.write_behind import WriteBehind
from csms.storage import BootInfo, StationExists, StationNotFound, StationStore

_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class BootDecision:
    """The answer to a BootNotification: status, interval (s) and csms's clock."""

    status: RegistrationStatus
    interval: int
    current_time: datetime


class StationService:
    def __init__(
        self,
        stations: StationStore,
        directory: StationDirectory,
        write_behind: WriteBehind,
        clock: Clock,
        *,
        heartbeat_interval: int,
        boot_retry_interval: int,
    ) -> None:
        self._stations = stations
        self._directory = directory
        self._write_behind = write_behind
        self._clock = clock
        self._heartbeat_interval = heartbeat_interval
        self._boot_retry_interval = boot_retry_interval

    async def add(
        self, station_id: str, password: str | None = None, *, lenient: bool = False
    ) -> Station:
        """Register a station; raises StationExists."""
        password_hash = hash_password(password) if password else None
        station = Station(
            id=station_id, password_hash=password_hash, lenient=lenient, created_at=self._clock.now()
        )
        stored = await self._stations.add(station)
        self._directory.remember(stored)
        return stored

    async def all(self) -> list[Station]:
        return await self._stations.all()

    async def get(self, station_id: str) -> Station | None:
        return await self._stations.get(station_id)

    async def ensure_registered(self, station_id: str) -> Station:
        """The station, created when csms admits unknown stations (``--auto-register``)."""
        station = await self._stations.get(station_id)
        if station is not None:
            return station
        try:
            station = await self.add(station_id)
        except StationExists:
            found = await self._stations.get(station_id)
            assert found is not None
            return found
        _log.info("station.auto_registered", station_id=station_id)
        return station

    async def boot(self, station_id: str, info: BootInfo) -> BootDecision:
        """Record a BootNotification and decide the registration status (1.6 §6.5).

        The station record is group-committed with other boots by the write-behind (one
        transaction per flush, not one per boot: a storm's slowest part) and committed
        before the answer. Raises StationNotFound.
        """
        now = self._clock.now()
        status = await self._write_behind.record_boot(station_id, info, now)
        interval = (
            self._heartbeat_interval
            if status is RegistrationStatus.ACCEPTED
            else self._boot_retry_interval
        )
        return BootDecision(status, interval, now)

    def heartbeat(self, station_id: str) -> datetime:
        """Note the station is alive (no database round trip) and return csms's time."""
        now = self._clock.now()
        self._write_behind.touch(station_id, now)
        return now

    def seen(self, station_id: str, at: datetime | None = None) -> None:
        """Any message from a station counts as a sign of life (``at``: when it arrived)."""
        self._write_behind.touch(station_id, at or self._clock.now())

    async def update(
        self,
        station_id: str,
        *,
        password: str | Unchanged | None = UNCHANGED,
        lenient: bool | None = None,
        registration_status: RegistrationStatus | None = None,
    ) -> Station:
        """Change what an operator may change; ``password=None`` removes the password.
        Raises StationNotFound. The handshake sees the change at once."""
        station = await self._stations.get(station_id)
        if station is None:
            raise StationNotFound(station_id)
        changes: dict[str, Any] = {}
        if not isinstance(password, Unchanged):
            changes["password_hash"] = hash_password(password) if password else None
        if lenient is not None:
            changes["lenient"] = lenient
        if registration_status is not None:
            changes["registration_status"] = registration_status
        updated = await self._stations.update(dataclasses.replace(station, **changes))
        self._directory.remember(updated)
        return updated

    async def delete(self, station_id: str) -> bool:
        """Forget the station (it may no longer connect); True if it existed. Its
        transactions and message log stay."""
        existed = await self._stations.delete(station_id)
        self._directory.forget(station_id)
        return existed

    async def set_registration(self, station_id: str, status: RegistrationStatus) -> Station:
        station = await self._stations.get(station_id)
        if station is None:
            raise KeyError(station_id)
        updated = await self._stations.update(
            dataclasses.replace(station, registration_status=status)
        )
        self._directory.remember(updated)
        return updated

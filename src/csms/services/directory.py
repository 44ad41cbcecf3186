"""Who may connect: an in-memory view of the stations table for the WebSocket handshake.

The transport decides on the upgrade synchronously, so it cannot wait for the
database. :class:`StationDirectory` keeps every station's credentials in memory,
loaded at start and refreshed every few seconds (stations added by the CLI while
csms runs are admitted after the next refresh; a miss also schedules one).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
from dataclasses import dataclass

import structlog

from csms.domain import RegistrationStatus, Station
from csms.services.passwords import verify_password
from csms.storage import StationStore

_log = structlog.get_logger(__name__)


class Admission(enum.Enum):
    ADMIT = "admit"
    UNKNOWN = "unknown"  # -> HTTP 404
    UNAUTHORIZED = "unauthorized"  # -> HTTP 401


@dataclass(frozen=True, slots=True)
class Entry:
    password_hash: str | None
    lenient: bool
    registration_status: RegistrationStatus


class StationDirectory:
    def __init__(self, stations: StationStore, auto_register: bool) -> None:
        self._stations = stations
        self._auto_register = auto_register
        self._entries: dict[str, Entry] = {}
        self._verified: set[tuple[str, bytes]] = set()
        self._refresh_wanted = asyncio.Event()

    async def refresh(self) -> None:
        """Reload every station's credentials from the store.

        Runs every few seconds over every station (15 000 and more), so it reads only the
        four columns an admission needs and keeps the :class:`Entry` of each unchanged
        station instead of allocating a new one. Passwords verified for a station that
        is gone or whose entry changed (e.g. a new password set by the CLI) are forgotten.
        """
        rows = await self._stations.credentials()
        old = self._entries
        entries: dict[str, Entry] = {}
        changed: set[str] = set()
        for station_id, password_hash, lenient, status in rows:
            entry = old.get(station_id)
            if (
                entry is None
                or entry.password_hash != password_hash
                or entry.lenient != lenient
                or entry.registration_status != status
            ):
                if entry is not None:
                    changed.add(station_id)
                entry = Entry(password_hash, lenient, status)
            entries[station_id] = entry
        self._entries = entries
        if self._verified:
            self._verified = {
                v for v in self._verified if v[0] in entries and v[0] not in changed
            }

    def remember(self, station: Station) -> None:
        """Make a station known at once (after csms itself added or changed it)."""
        self._entries[station.id] = _entry(station)
        self._verified = {v for v in self._verified if v[0] != station.id}

    def forget(self, station_id: str) -> None:
        self._entries.pop(station_id, None)

    def entry(self, station_id: str) -> Entry | None:
        return self._entries.get(station_id)

    def admit(self, station_id: str, password: str | None) -> Admission:
        """Decide a WebSocket upgrade (security profile 1 when the station has a password)."""
        entry = self._entries.get(station_id)
        if entry is None:
            self._refresh_wanted.set()
            if self._auto_register:
                return Admission.ADMIT
            return Admission.UNKNOWN
        if entry.password_hash is None:
            return Admission.ADMIT
        if password is None:
            return Admission.UNAUTHORIZED
        key = (station_id, hashlib.sha256(password.encode()).digest())
        if key in self._verified:
            return Admission.ADMIT
        if verify_password(password, entry.password_hash):
            self._verified.add(key)
            return Admission.ADMIT
        return Admission.UNAUTHORIZED

    async def run(self, interval: float) -> None:
        """Refresh every ``interval`` seconds, or soon after a miss."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._refresh_wanted.wait(), interval)
            self._refresh_wanted.clear()
            try:
                await self.refresh()
            except Exception as error:  # the database may be briefly unavailable
                _log.error("directory.refresh_failed", error=repr(error))
            await asyncio.sleep(0.5)  # at most two refreshes a second, however many misses


def _entry(station: Station) -> Entry:
    return Entry(station.password_hash, station.lenient, station.registration_status)

"""The per-station OCPP message log: every frame, both directions, with the time."""

from __future__ import annotations

from datetime import datetime, timedelta

from csms.domain import Direction, OcppMessage
from csms.services.clock import Clock
from csms.services.write_behind import WriteBehind
from csms.storage import MessageLogStore


class MessageLog:
    def __init__(
        self, store: MessageLogStore, write_behind: WriteBehind, clock: Clock, retention_days: float
    ) -> None:
        self._store = store
        self._write_behind = write_behind
        self._clock = clock
        self._retention = timedelta(days=retention_days)

    def record(
        self,
        station_id: str,
        direction: Direction,
        frame: bytes | str,
        action: str | None = None,
        message_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        text = frame.decode(errors="replace") if isinstance(frame, bytes) else frame
        self._write_behind.log_message(
            OcppMessage(station_id, direction, at or self._clock.now(), text, action, message_id)
        )

    async def recent(
        self, station_id: str, limit: int = 100, action: str | None = None
    ) -> list[OcppMessage]:
        return await self._store.recent(station_id, limit, action)

    async def search(
        self,
        station_id: str,
        *,
        limit: int = 100,
        offset: int = 0,
        action: str | None = None,
        direction: Direction | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[OcppMessage]:
        """Newest first; ``since`` inclusive, ``until`` exclusive."""
        return await self._store.recent(
            station_id, limit, action, direction=direction, since=since, until=until, offset=offset
        )

    async def prune(self) -> int:
        """Drop messages older than the retention period."""
        return await self._store.prune(self._clock.now() - self._retention)

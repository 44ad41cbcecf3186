"""Group commit for the hot path: meter values, statuses, heartbeats, the message log.

Handlers hand rows to :class:`WriteBehind` instead of writing them one by one. A
single flusher task writes everything queued in one transaction per store:

* ``await store_samples(...)`` / ``await store_statuses(...)`` / ``await record_boot(...)``
  return only once the rows are committed, so the station is answered only after its
  data is durable (ARCHITECTURE.md: "nothing acknowledged is lost"). They wake the
  flusher at once; the batching comes from every connection that queues rows while a
  flush runs (a boot storm of 10 000 stations becomes a few transactions).
* ``log_message`` and ``touch`` are not awaited: message log rows and last-seen times
  are flushed every ``interval`` seconds (not on every durable flush), on :meth:`flush`
  and at shutdown.

A failed write fails the awaiting handlers (the station gets an InternalError and
retries); unawaited rows of a failed batch are kept for the next flush.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

import structlog

from csms.domain import MeterSample, OcppMessage, RegistrationStatus, StatusEvent
from csms.storage import BootInfo, StationNotFound, Stores

_log = structlog.get_logger(__name__)
_T = TypeVar("_T")


class WriteBehind:
    """Batches writes; owned and run by the application (see :meth:`run`)."""

    def __init__(
        self,
        stores: Stores,
        interval: float = 0.05,
        max_log_backlog: int = 100_000,
        log_chunk: int = 200,
    ):
        self._stores = stores
        self._interval = interval
        self._max_log_backlog = max_log_backlog
        self._log_chunk = log_chunk
        self._samples: list[MeterSample] = []
        self._statuses: list[StatusEvent] = []
        self._messages: list[OcppMessage] = []
        self._last_seen: dict[str, datetime] = {}
        self._boots: dict[str, tuple[BootInfo, datetime]] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._boot_waiters: list[tuple[str, asyncio.Future[RegistrationStatus]]] = []
        self._urgent = asyncio.Event()
        self._flushing = asyncio.Lock()
        self._closed = False

    async def store_samples(self, samples: Sequence[MeterSample]) -> None:
        """Queue samples and wait until they are committed."""
        await self._durably(self._samples, samples)

    async def store_statuses(self, events: Sequence[StatusEvent]) -> None:
        """Queue status events and wait until they are committed."""
        await self._durably(self._statuses, events)

    async def record_boot(
        self, station_id: str, info: BootInfo, at: datetime
    ) -> RegistrationStatus:
        """Queue a BootNotification's station record (``StationStore.record_boots``) and
        wait until it is committed; the station's registration status, or StationNotFound.
        Two boots of one station in a batch: the later one is stored, both get the answer."""
        if self._closed:
            raise RuntimeError("write-behind is closed")
        self._boots[station_id] = (info, at)
        waiter: asyncio.Future[RegistrationStatus] = asyncio.get_running_loop().create_future()
        self._boot_waiters.append((station_id, waiter))
        self._urgent.set()
        return await waiter

    def log_message(self, message: OcppMessage) -> None:
        """Queue a message log row (written within ``interval``)."""
        if len(self._messages) < self._max_log_backlog:
            self._messages.append(message)

    def touch(self, station_id: str, at: datetime) -> None:
        """Record that a station was seen (written within ``interval``)."""
        self._last_seen[station_id] = at

    def last_seen(self, station_id: str) -> datetime | None:
        """A last-seen time not yet written, if any."""
        return self._last_seen.get(station_id)

    async def _durably(self, target: list[_T], rows: Sequence[_T]) -> None:
        if not rows:
            return
        if self._closed:
            raise RuntimeError("write-behind is closed")
        target.extend(rows)
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._urgent.set()
        await waiter

    async def run(self) -> None:
        """Flush until cancelled; the owner calls :meth:`close` afterwards.

        Durable rows are written as soon as they are queued (and again while a flush
        runs); the message log and last-seen times once per ``interval``, so that a busy
        flusher does not spend a transaction on them every time.
        """
        loop = asyncio.get_running_loop()
        background_due = loop.time() + self._interval
        while True:
            wait = background_due - loop.time()
            if wait > 0 and not self._urgent.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._urgent.wait(), wait)
            self._urgent.clear()
            background = loop.time() >= background_due
            async with self._flushing:
                await self._flush_durable()
                if background:
                    await self._flush_background()
            if background:
                background_due = loop.time() + self._interval

    async def close(self) -> None:
        """Refuse new durable writes and flush everything left."""
        self._closed = True
        await self.flush()

    async def flush(self) -> None:
        """Write everything queued now (one flush at a time)."""
        async with self._flushing:
            await self._flush()

    async def _flush(self) -> None:
        await self._flush_durable()
        await self._flush_background()

    async def _flush_durable(self) -> None:
        if self._boot_waiters:
            await self._flush_boots()
        if not self._waiters:
            return
        samples, self._samples = self._samples, []
        statuses, self._statuses = self._statuses, []
        waiters, self._waiters = self._waiters, []
        try:
            await _write(self._stores.meter_values.add_many, samples)
            await _write(self._stores.statuses.add_many, statuses)
        except Exception as error:
            _log.error("write_behind.durable_write_failed", error=repr(error))
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
        else:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def _flush_boots(self) -> None:
        boots, self._boots = self._boots, {}
        waiters, self._boot_waiters = self._boot_waiters, []
        try:
            found = await self._stores.stations.record_boots(boots)
        except Exception as error:
            _log.error("write_behind.boot_write_failed", error=repr(error))
            for _, waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        for station_id, waiter in waiters:
            if waiter.done():
                continue
            status = found.get(station_id)
            if status is None:
                waiter.set_exception(StationNotFound(station_id))
            else:
                waiter.set_result(status)

    async def _flush_background(self) -> None:
        """The message log in chunks of ``log_chunk`` rows, each its own transaction, with
        any durable rows queued meanwhile flushed between chunks; then last-seen times.

        One transaction for the whole log backlog (1 000-2 000 rows at half load) kept
        SQLite's single writer for 30-160 ms while every MeterValues waited behind it.
        """
        messages, self._messages = self._messages, []
        last_seen, self._last_seen = self._last_seen, {}
        written = 0
        try:
            while written < len(messages):
                if self._waiters or self._boot_waiters:
                    await self._flush_durable()
                chunk = messages[written : written + self._log_chunk]
                await self._stores.messages.add_many(chunk)
                written += len(chunk)
            if last_seen:
                await self._stores.stations.touch_many(last_seen)
        except Exception as error:
            _log.error("write_behind.background_write_failed", error=repr(error))
            self._messages[:0] = messages[written:]
            for station_id, at in last_seen.items():
                self._last_seen.setdefault(station_id, at)


async def _write(add_many: Callable[[Sequence[_T]], Awaitable[None]], rows: list[_T]) -> None:
    if rows:
        await add_many(rows)

"""The write-behind's group-committed BootNotifications (``WriteBehind.record_boot``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from csms.domain import Direction, MeterSample, OcppMessage, RegistrationStatus, Station
from csms.services.write_behind import WriteBehind
from csms.storage import BootInfo, StationNotFound
from csms.storage.memory import MemoryStationStore, memory_stores

T0 = datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC)
BOOT = BootInfo(ocpp_version="ocpp1.6", vendor="Acme", model="Volt 22")


class CountingStations(MemoryStationStore):
    """Counts the boot transactions; fails them while ``failing`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []
        self.failing = False

    async def record_boots(
        self, boots: Mapping[str, tuple[BootInfo, datetime]]
    ) -> dict[str, RegistrationStatus]:
        self.batches.append(list(boots))
        if self.failing:
            raise OSError("disk full")
        return await super().record_boots(boots)


@pytest.fixture
async def stations() -> CountingStations:
    store = CountingStations()
    await store.add(Station(id="CP-1", created_at=T0))
    await store.add(
        Station(id="CP-2", registration_status=RegistrationStatus.PENDING, created_at=T0)
    )
    for n in range(100):
        await store.add(Station(id=f"STORM-{n:03}", created_at=T0))
    return store


@pytest.fixture
async def write_behind(stations: CountingStations) -> AsyncIterator[WriteBehind]:
    stores = replace(memory_stores(), stations=stations)
    write_behind = WriteBehind(stores, interval=0.01)
    flusher = asyncio.create_task(write_behind.run())
    yield write_behind
    flusher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flusher
    await write_behind.close()


async def test_a_boot_is_committed_before_its_status_is_returned(
    write_behind: WriteBehind, stations: CountingStations
) -> None:
    status = await write_behind.record_boot("CP-2", BOOT, T0)

    assert status is RegistrationStatus.PENDING
    stored = await stations.get("CP-2")
    assert stored is not None
    assert (stored.vendor, stored.last_boot_at, stored.last_seen_at) == ("Acme", T0, T0)


async def test_a_boot_storm_is_group_committed(
    write_behind: WriteBehind, stations: CountingStations
) -> None:
    ids = [f"STORM-{n:03}" for n in range(100)]

    answers = await asyncio.gather(
        *(write_behind.record_boot(sid, BOOT, T0 + timedelta(seconds=1)) for sid in ids)
    )

    assert answers == [RegistrationStatus.ACCEPTED] * 100
    assert sorted(sid for batch in stations.batches for sid in batch) == ids
    assert len(stations.batches) <= 2  # the first boot may be flushed alone
    assert all(s.last_boot_at is not None for s in await stations.all() if s.id in ids)


async def test_an_unknown_station_gets_station_not_found_and_the_others_their_status(
    write_behind: WriteBehind,
) -> None:
    known, unknown = await asyncio.gather(
        write_behind.record_boot("CP-1", BOOT, T0),
        write_behind.record_boot("ghost", BOOT, T0),
        return_exceptions=True,
    )

    assert known is RegistrationStatus.ACCEPTED
    assert isinstance(unknown, StationNotFound)


async def test_a_failed_boot_batch_fails_its_waiters_and_the_next_one_succeeds(
    write_behind: WriteBehind, stations: CountingStations
) -> None:
    stations.failing = True
    with pytest.raises(OSError, match="disk full"):
        await write_behind.record_boot("CP-1", BOOT, T0)

    stations.failing = False
    assert await write_behind.record_boot("CP-1", BOOT, T0) is RegistrationStatus.ACCEPTED


async def test_boots_are_refused_once_closed(stations: CountingStations) -> None:
    write_behind = WriteBehind(replace(memory_stores(), stations=stations))
    await write_behind.close()

    with pytest.raises(RuntimeError, match="closed"):
        await write_behind.record_boot("CP-1", BOOT, T0)


# -- the message log is written in chunks, durable rows between them -------------------
class RecordingLog:
    """A message log store that records each write and can wait or fail on demand."""

    def __init__(self, journal: list[str]) -> None:
        self.journal = journal
        self.rows: list[OcppMessage] = []
        self.fail_on_write: int | None = None
        self.first_write_started = asyncio.Event()
        self.release_first_write = asyncio.Event()

    async def add_many(self, messages: Sequence[OcppMessage]) -> None:
        writes = sum(1 for entry in self.journal if entry.startswith("log"))
        self.journal.append(f"log {len(messages)}")
        if writes == 0:
            self.first_write_started.set()
            await self.release_first_write.wait()
        if writes == self.fail_on_write:
            raise OSError("disk full")
        self.rows.extend(messages)


class RecordingSamples:
    def __init__(self, journal: list[str]) -> None:
        self.journal = journal

    async def add_many(self, samples: Sequence[MeterSample]) -> None:
        self.journal.append(f"samples {len(samples)}")


def _log_rows(count: int) -> list[OcppMessage]:
    return [OcppMessage("CP-1", Direction.INBOUND, T0, f'[2,"{n}","Heartbeat",{{}}]') for n in range(count)]


def _chunked(journal: list[str]) -> tuple[RecordingLog, WriteBehind]:
    log = RecordingLog(journal)
    stores = replace(memory_stores(), messages=log, meter_values=RecordingSamples(journal))  # type: ignore[arg-type]
    return log, WriteBehind(stores, interval=3600, log_chunk=200)


async def test_durable_rows_queued_during_a_log_write_wait_for_one_chunk_not_the_backlog() -> None:
    journal: list[str] = []
    log, write_behind = _chunked(journal)
    for message in _log_rows(1000):
        write_behind.log_message(message)
    flushing = asyncio.create_task(write_behind.flush())
    await log.first_write_started.wait()

    sample = MeterSample("CP-1", 1, 1, 7, T0, T0, "1.0")
    stored = asyncio.create_task(write_behind.store_samples([sample]))
    await asyncio.sleep(0)
    log.release_first_write.set()
    async with asyncio.timeout(5):
        await stored
        await flushing

    assert journal == ["log 200", "samples 1", "log 200", "log 200", "log 200", "log 200"]
    assert len(log.rows) == 1000


async def test_a_failed_log_chunk_keeps_itself_and_the_rest_for_the_next_flush() -> None:
    journal: list[str] = []
    log, write_behind = _chunked(journal)
    log.release_first_write.set()
    log.fail_on_write = 2  # the third chunk
    for message in _log_rows(1000):
        write_behind.log_message(message)

    await write_behind.flush()
    assert len(log.rows) == 400
    log.fail_on_write = None
    await write_behind.flush()

    assert [m.frame for m in log.rows] == [m.frame for m in _log_rows(1000)]

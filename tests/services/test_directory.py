"""The station directory: who may open a WebSocket, from a periodically refreshed view."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import UTC, datetime

from csms.domain import RegistrationStatus, Station
from csms.services import Admission, StationDirectory
from csms.services.passwords import hash_password
from csms.storage.memory import MemoryStationStore

T0 = datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC)


class CredentialsOnly(MemoryStationStore):
    """A store whose full reload fails: refresh must read only the credentials."""

    def __init__(self) -> None:
        super().__init__()
        self.credential_reads = 0
        self.read = asyncio.Event()

    async def all(self) -> list[Station]:
        raise AssertionError("the directory reloads full Station records")

    async def credentials(self) -> list[tuple[str, str | None, bool, RegistrationStatus]]:
        self.credential_reads += 1
        self.read.set()
        return await super().credentials()


async def test_refresh_admits_stations_added_behind_its_back_and_forgets_removed_ones() -> None:
    store = CredentialsOnly()
    directory = StationDirectory(store, auto_register=False)
    await store.add(Station(id="CP-1", created_at=T0))
    await directory.refresh()
    await store.add(Station(id="CP-2", created_at=T0))  # e.g. by the CLI, another process

    assert directory.admit("CP-2", None) is Admission.UNKNOWN
    await directory.refresh()
    assert directory.admit("CP-2", None) is Admission.ADMIT

    await store.delete("CP-1")
    await directory.refresh()
    assert directory.admit("CP-1", None) is Admission.UNKNOWN
    assert directory.entry("CP-1") is None
    assert store.credential_reads == 3


async def test_refresh_keeps_unchanged_entries_and_replaces_changed_ones() -> None:
    store = CredentialsOnly()
    directory = StationDirectory(store, auto_register=False)
    for station_id in ["CP-1", "CP-2", "CP-3"]:
        await store.add(Station(id=station_id, created_at=T0))
    await directory.refresh()
    before = {sid: directory.entry(sid) for sid in ["CP-1", "CP-2", "CP-3"]}
    stored = await store.get("CP-2")
    assert stored is not None
    await store.update(replace(stored, registration_status=RegistrationStatus.REJECTED))
    stored = await store.get("CP-3")
    assert stored is not None
    await store.update(replace(stored, lenient=True))

    await directory.refresh()

    assert directory.entry("CP-1") is before["CP-1"]
    entry_2, entry_3 = directory.entry("CP-2"), directory.entry("CP-3")
    assert entry_2 is not None
    assert entry_3 is not None
    assert entry_2.registration_status is RegistrationStatus.REJECTED
    assert entry_3.lenient is True
    assert entry_2 is not before["CP-2"]
    assert entry_3 is not before["CP-3"]


async def test_a_password_changed_behind_its_back_is_verified_again_after_refresh() -> None:
    store = CredentialsOnly()
    directory = StationDirectory(store, auto_register=False)
    await store.add(Station(id="CP-1", password_hash=hash_password("old-secret"), created_at=T0))
    await directory.refresh()
    assert directory.admit("CP-1", "old-secret") is Admission.ADMIT  # now cached as verified

    stored = await store.get("CP-1")
    assert stored is not None
    await store.update(replace(stored, password_hash=hash_password("new-secret")))
    await directory.refresh()

    assert directory.admit("CP-1", "old-secret") is Admission.UNAUTHORIZED
    assert directory.admit("CP-1", "new-secret") is Admission.ADMIT


async def test_the_verified_cache_of_a_removed_station_is_pruned() -> None:
    store = CredentialsOnly()
    directory = StationDirectory(store, auto_register=False)
    await store.add(Station(id="CP-1", password_hash=hash_password("secret"), created_at=T0))
    await directory.refresh()
    assert directory.admit("CP-1", "secret") is Admission.ADMIT
    await store.delete("CP-1")
    await directory.refresh()

    # Re-added with another password: the old one must not be taken from the cache.
    await store.add(Station(id="CP-1", password_hash=hash_password("other"), created_at=T0))
    await directory.refresh()

    assert directory.admit("CP-1", "secret") is Admission.UNAUTHORIZED


async def test_a_miss_refreshes_soon_without_waiting_for_the_interval() -> None:
    store = CredentialsOnly()
    directory = StationDirectory(store, auto_register=False)
    await directory.refresh()
    runner = asyncio.create_task(directory.run(interval=3600))
    try:
        await store.add(Station(id="CP-1", created_at=T0))
        store.read.clear()
        assert directory.admit("CP-1", None) is Admission.UNKNOWN  # the miss asks for a refresh
        async with asyncio.timeout(5):
            await store.read.wait()
        await asyncio.sleep(0)  # let the refresh that read the store finish
        assert directory.admit("CP-1", None) is Admission.ADMIT
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner

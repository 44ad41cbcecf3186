"""Store interfaces for operating stations (API keys, reservations, configuration cache,
availability, certificates, local authorization lists). Same rules as
``csms.storage.interfaces``: each method atomic, UTC datetimes, one contract test suite
for every backend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from csms.domain.operations import (
    ApiKey,
    ConfigurationEntry,
    ConnectorAvailability,
    InstalledCertificate,
    LocalList,
    Reservation,
    ReservationStatus,
    Role,
)


class ApiKeyStore(Protocol):
    async def add(
        self, name: str, role: Role, key_hash: str, created_at: datetime, owner: str | None = None
    ) -> ApiKey:
        """Store a new key (ids increase from 1)."""
        ...

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this hash, revoked or not."""
        ...

    async def all(self) -> list[ApiKey]:
        """Ordered by id."""
        ...

    async def revoke(self, key_id: int) -> bool:
        """Mark revoked; True if the key existed."""
        ...

    async def touch(self, key_id: int, at: datetime) -> None:
        """Set last_used_at."""
        ...


class ReservationStore(Protocol):
    async def create(
        self,
        station_id: str,
        connector_id: int,
        id_tag: str,
        expiry_date: datetime,
        created_at: datetime,
        parent_id_tag: str | None = None,
    ) -> Reservation:
        """A new Pending reservation with a fresh id (ids increase from 1)."""
        ...

    async def get(self, reservation_id: int) -> Reservation | None: ...

    async def set_status(
        self,
        reservation_id: int,
        status: ReservationStatus,
        *,
        station_answer: str | None = None,
        transaction_id: int | None = None,
    ) -> Reservation:
        """Change the status (and the answer / the transaction that used it); KeyError if unknown."""
        ...

    async def search(
        self,
        station_id: str | None = None,
        status: ReservationStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Reservation]:
        """Newest (highest id) first."""
        ...

    async def expire_due(self, now: datetime) -> list[Reservation]:
        """Mark every Pending/Active reservation whose expiry_date <= now as Expired and
        return them (as updated)."""
        ...


class StationStateStore(Protocol):
    """What csms remembers of a station's own state, learnt from its answers."""

    async def put_configuration(self, entries: Sequence[ConfigurationEntry]) -> None:
        """Insert or replace entries by (station_id, key)."""
        ...

    async def configuration(self, station_id: str) -> list[ConfigurationEntry]:
        """Ordered by key."""
        ...

    async def put_availability(self, availability: ConnectorAvailability) -> None:
        """Insert or replace by (station_id, connector_id)."""
        ...

    async def availability(self, station_id: str) -> list[ConnectorAvailability]:
        """Ordered by connector_id."""
        ...

    async def replace_certificates(
        self, station_id: str, certificate_type: str, certificates: Sequence[InstalledCertificate]
    ) -> None:
        """The station's full set of installed certificates of that type, replacing the old."""
        ...

    async def add_certificate(self, certificate: InstalledCertificate) -> None: ...

    async def remove_certificate(self, station_id: str, serial_number: str, issuer_key_hash: str) -> bool:
        """True if it was there."""
        ...

    async def certificates(self, station_id: str) -> list[InstalledCertificate]:
        """Ordered by certificate_type, serial_number."""
        ...

    async def put_local_list(self, local_list: LocalList) -> None:
        """Replace the station's whole local list (entries with status None are not stored)."""
        ...

    async def local_list(self, station_id: str) -> LocalList | None: ...

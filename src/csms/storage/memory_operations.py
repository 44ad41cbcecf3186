"""In-memory stores for operating stations (``csms.storage.operations``): API keys,
reservations and what csms remembers of a station's state.

Same promises as ``csms.storage.memory``: the contract of the SQL backend, ids from 1 never
reused, UTC datetimes (naive ones refused), fresh lists, no awaits (each method atomic).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from csms.domain.operations import (
    ApiKey,
    ConfigurationEntry,
    ConnectorAvailability,
    InstalledCertificate,
    LocalList,
    LocalListEntry,
    Reservation,
    ReservationStatus,
    Role,
)
from csms.storage.memory import _utc, _utc_fields

DUE_TO_EXPIRE = frozenset({ReservationStatus.PENDING, ReservationStatus.ACTIVE})


class MemoryApiKeyStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._keys: dict[int, ApiKey] = {}

    async def add(
        self, name: str, role: Role, key_hash: str, created_at: datetime, owner: str | None = None
    ) -> ApiKey:
        if any(key.key_hash == key_hash for key in self._keys.values()):
            raise ValueError("an API key with this hash is already stored")
        created_at = _utc(created_at)
        key = ApiKey(next(self._ids), name, role, key_hash, created_at, owner=owner)
        self._keys[key.id] = key
        return key

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        return next((key for key in self._keys.values() if key.key_hash == key_hash), None)

    async def all(self) -> list[ApiKey]:
        return [self._keys[key_id] for key_id in sorted(self._keys)]

    async def revoke(self, key_id: int) -> bool:
        key = self._keys.get(key_id)
        if key is None:
            return False
        self._keys[key_id] = replace(key, revoked=True)
        return True

    async def touch(self, key_id: int, at: datetime) -> None:
        at = _utc(at)
        key = self._keys.get(key_id)
        if key is not None:
            self._keys[key_id] = replace(key, last_used_at=at)


class MemoryReservationStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._rows: dict[int, Reservation] = {}

    async def create(
        self,
        station_id: str,
        connector_id: int,
        id_tag: str,
        expiry_date: datetime,
        created_at: datetime,
        parent_id_tag: str | None = None,
    ) -> Reservation:
        expiry_date, created_at = _utc(expiry_date), _utc(created_at)
        reservation = Reservation(
            id=next(self._ids),
            station_id=station_id,
            connector_id=connector_id,
            id_tag=id_tag,
            expiry_date=expiry_date,
            created_at=created_at,
            parent_id_tag=parent_id_tag,
        )
        self._rows[reservation.id] = reservation
        return reservation

    async def get(self, reservation_id: int) -> Reservation | None:
        return self._rows.get(reservation_id)

    async def set_status(
        self,
        reservation_id: int,
        status: ReservationStatus,
        *,
        station_answer: str | None = None,
        transaction_id: int | None = None,
    ) -> Reservation:
        reservation = self._rows.get(reservation_id)
        if reservation is None:
            raise KeyError(reservation_id)
        reservation = replace(
            reservation,
            status=ReservationStatus(status),
            station_answer=reservation.station_answer if station_answer is None else station_answer,
            transaction_id=(
                reservation.transaction_id if transaction_id is None else transaction_id
            ),
        )
        self._rows[reservation_id] = reservation
        return reservation

    async def search(
        self,
        station_id: str | None = None,
        status: ReservationStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Reservation]:
        found = [
            self._rows[key]
            for key in sorted(self._rows, reverse=True)
            if (station_id is None or self._rows[key].station_id == station_id)
            and (status is None or self._rows[key].status == status)
        ]
        return found[offset : offset + limit]

    async def expire_due(self, now: datetime) -> list[Reservation]:
        now = _utc(now)
        expired = []
        for key in sorted(self._rows):
            reservation = self._rows[key]
            if reservation.status in DUE_TO_EXPIRE and reservation.expiry_date <= now:
                reservation = replace(reservation, status=ReservationStatus.EXPIRED)
                self._rows[key] = reservation
                expired.append(reservation)
        return expired


def kept_local_list_entries(entries: Sequence[LocalListEntry]) -> tuple[LocalListEntry, ...]:
    """The entries a stored local list keeps: status set, one per id_tag (the last given
    wins), ordered by id_tag."""
    by_tag = {entry.id_tag: _utc_fields(entry) for entry in entries if entry.status is not None}
    return tuple(by_tag[tag] for tag in sorted(by_tag))


class MemoryStationStateStore:
    def __init__(self) -> None:
        self._configuration: dict[tuple[str, str], ConfigurationEntry] = {}
        self._availability: dict[tuple[str, int], ConnectorAvailability] = {}
        self._certificates: dict[tuple[str, str, str], InstalledCertificate] = {}
        self._local_lists: dict[str, LocalList] = {}

    async def put_configuration(self, entries: Sequence[ConfigurationEntry]) -> None:
        entries = [_utc_fields(entry) for entry in entries]
        for entry in entries:
            self._configuration[(entry.station_id, entry.key)] = entry

    async def configuration(self, station_id: str) -> list[ConfigurationEntry]:
        keys = sorted(key for key in self._configuration if key[0] == station_id)
        return [self._configuration[key] for key in keys]

    async def put_availability(self, availability: ConnectorAvailability) -> None:
        availability = _utc_fields(availability)
        self._availability[(availability.station_id, availability.connector_id)] = availability

    async def availability(self, station_id: str) -> list[ConnectorAvailability]:
        keys = sorted(key for key in self._availability if key[0] == station_id)
        return [self._availability[key] for key in keys]

    async def replace_certificates(
        self, station_id: str, certificate_type: str, certificates: Sequence[InstalledCertificate]
    ) -> None:
        checked_certificates(station_id, certificate_type, certificates)
        certificates = [_utc_fields(certificate) for certificate in certificates]
        for key, stored in list(self._certificates.items()):
            if stored.station_id == station_id and stored.certificate_type == certificate_type:
                del self._certificates[key]
        for certificate in certificates:
            self._certificates[_certificate_key(certificate)] = certificate

    async def add_certificate(self, certificate: InstalledCertificate) -> None:
        certificate = _utc_fields(certificate)
        self._certificates[_certificate_key(certificate)] = certificate

    async def remove_certificate(
        self, station_id: str, serial_number: str, issuer_key_hash: str
    ) -> bool:
        return (
            self._certificates.pop((station_id, serial_number, issuer_key_hash), None) is not None
        )

    async def certificates(self, station_id: str) -> list[InstalledCertificate]:
        found = [c for c in self._certificates.values() if c.station_id == station_id]
        found.sort(key=lambda c: (c.certificate_type, c.serial_number, c.issuer_key_hash))
        return found

    async def put_local_list(self, local_list: LocalList) -> None:
        local_list = replace(
            local_list,
            entries=kept_local_list_entries(local_list.entries),
            updated_at=_utc(local_list.updated_at),
        )
        self._local_lists[local_list.station_id] = local_list

    async def local_list(self, station_id: str) -> LocalList | None:
        return self._local_lists.get(station_id)


def checked_certificates(
    station_id: str, certificate_type: str, certificates: Sequence[InstalledCertificate]
) -> None:
    """Refuse a replacement set holding a certificate of another station or type."""
    for certificate in certificates:
        if (certificate.station_id, certificate.certificate_type) != (station_id, certificate_type):
            raise ValueError(
                f"certificate {certificate.serial_number!r} is a {certificate.certificate_type} "
                f"of {certificate.station_id!r}, not a {certificate_type} of {station_id!r}"
            )


def _certificate_key(certificate: InstalledCertificate) -> tuple[str, str, str]:
    return (certificate.station_id, certificate.serial_number, certificate.issuer_key_hash)

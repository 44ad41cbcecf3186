"""What csms remembers from the answers to its commands (``Stores.station_state``).

==========================  ===========================================================
GetConfiguration            every key reported (value, readonly)
ChangeConfiguration         the key's new value, when Accepted or RebootRequired
ChangeAvailability          the connector's availability, when Accepted or Scheduled
GetInstalledCertificateIds  the full set of that certificate type (none when NotFound)
InstallCertificate          the certificate's hash data, when Accepted (self-signed roots)
DeleteCertificate           the certificate removed, when Accepted
SendLocalList               the list and its version, when Accepted (Differential merged)
GetLocalListVersion         the version the station reports (0: empty list)
==========================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import msgspec

from csms.domain.operations import (
    ConfigurationEntry,
    ConnectorAvailability,
    InstalledCertificate,
    LocalList,
    LocalListEntry,
)
from csms.ocpp.messages import v16
from csms.services.commands.certificates import hash_data
from csms.storage import StationStateStore

Recorder = Callable[[StationStateStore, str, Any, Any, datetime], Awaitable[None]]


async def record(
    store: StationStateStore,
    station_id: str,
    request: msgspec.Struct,
    response: msgspec.Struct,
    at: datetime,
) -> None:
    """Remember what ``response`` to ``request`` says about the station (if anything)."""
    recorder = _RECORDERS.get(type(request))
    if recorder is not None:
        await recorder(store, station_id, request, response, at)


async def _get_configuration(
    store: StationStateStore,
    station_id: str,
    request: v16.GetConfigurationRequest,
    response: v16.GetConfigurationResponse,
    at: datetime,
) -> None:
    keys = response.configuration_key or []
    await store.put_configuration(
        [ConfigurationEntry(station_id, k.key, _value(k), k.readonly, at) for k in keys]
    )


async def _change_configuration(
    store: StationStateStore,
    station_id: str,
    request: v16.ChangeConfigurationRequest,
    response: v16.ChangeConfigurationResponse,
    at: datetime,
) -> None:
    if response.status in ("Accepted", "RebootRequired"):
        await store.put_configuration(
            [ConfigurationEntry(station_id, request.key, request.value, False, at)]
        )


async def _change_availability(
    store: StationStateStore,
    station_id: str,
    request: v16.ChangeAvailabilityRequest,
    response: v16.ChangeAvailabilityResponse,
    at: datetime,
) -> None:
    if response.status in ("Accepted", "Scheduled"):
        await store.put_availability(
            ConnectorAvailability(station_id, request.connector_id, request.type, at)
        )


async def _get_installed_certificates(
    store: StationStateStore,
    station_id: str,
    request: v16.GetInstalledCertificateIdsRequest,
    response: v16.GetInstalledCertificateIdsResponse,
    at: datetime,
) -> None:
    kind = request.certificate_type
    found = (response.certificate_hash_data or []) if response.status == "Accepted" else []
    await store.replace_certificates(
        station_id, kind, [_installed(station_id, kind, data, at) for data in found]
    )


async def _install_certificate(
    store: StationStateStore,
    station_id: str,
    request: v16.InstallCertificateRequest,
    response: v16.InstallCertificateResponse,
    at: datetime,
) -> None:
    data = hash_data(request.certificate) if response.status == "Accepted" else None
    if data is not None:
        await store.add_certificate(
            InstalledCertificate(
                station_id,
                request.certificate_type,
                data.hash_algorithm,
                data.issuer_name_hash,
                data.issuer_key_hash,
                data.serial_number,
                at,
            )
        )


async def _delete_certificate(
    store: StationStateStore,
    station_id: str,
    request: v16.DeleteCertificateRequest,
    response: v16.DeleteCertificateResponse,
    at: datetime,
) -> None:
    if response.status == "Accepted":
        data = request.certificate_hash_data
        await store.remove_certificate(station_id, data.serial_number, data.issuer_key_hash)


async def _send_local_list(
    store: StationStateStore,
    station_id: str,
    request: v16.SendLocalListRequest,
    response: v16.SendLocalListResponse,
    at: datetime,
) -> None:
    if response.status != "Accepted":
        return
    sent = {e.id_tag: e for e in map(local_entry, request.local_authorization_list or [])}
    if request.update_type == "Differential":
        held = await store.local_list(station_id)
        merged = {e.id_tag: e for e in held.entries} if held is not None else {}
        merged.update(sent)
        sent = merged
    entries = tuple(e for _, e in sorted(sent.items()) if e.status is not None)
    await store.put_local_list(LocalList(station_id, request.list_version, entries, at))


async def _get_local_list_version(
    store: StationStateStore,
    station_id: str,
    request: v16.GetLocalListVersionRequest,
    response: v16.GetLocalListVersionResponse,
    at: datetime,
) -> None:
    held = await store.local_list(station_id)
    version = response.list_version
    keep = held is not None and held.version == version and version > 0
    entries = held.entries if keep and held is not None else ()
    await store.put_local_list(LocalList(station_id, version, entries, at))


def _value(key: v16.KeyValue) -> str | None:
    return None if isinstance(key.value, msgspec.UnsetType) else key.value


def local_entry(data: v16.AuthorizationData) -> LocalListEntry:
    """One AuthorizationData as a list entry (no idTagInfo: deleted, §5.15)."""
    info = data.id_tag_info
    if isinstance(info, msgspec.UnsetType):
        return LocalListEntry(data.id_tag)
    expiry = info.expiry_date or None
    return LocalListEntry(
        data.id_tag,
        info.status,
        expiry.astimezone(UTC) if expiry is not None else None,
        info.parent_id_tag or None,
    )


def _installed(
    station_id: str, kind: str, data: v16.CertificateHashData, at: datetime
) -> InstalledCertificate:
    return InstalledCertificate(
        station_id,
        kind,
        data.hash_algorithm,
        data.issuer_name_hash,
        data.issuer_key_hash,
        data.serial_number,
        at,
    )


_RECORDERS: dict[type[msgspec.Struct], Recorder] = {
    v16.GetConfigurationRequest: _get_configuration,
    v16.ChangeConfigurationRequest: _change_configuration,
    v16.ChangeAvailabilityRequest: _change_availability,
    v16.GetInstalledCertificateIdsRequest: _get_installed_certificates,
    v16.InstallCertificateRequest: _install_certificate,
    v16.DeleteCertificateRequest: _delete_certificate,
    v16.SendLocalListRequest: _send_local_list,
    v16.GetLocalListVersionRequest: _get_local_list_version,
}

"""What csms remembers from the answers to its commands (Stores.station_state)."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.domain.operations import LocalListEntry
from csms.ocpp.messages import v16
from csms.services.commands.certificates import hash_data
from tests.services.command_kit import Kit

# A self-signed P-256 root; hash data checked against `openssl ocsp -sha256 -req_text`.
ROOT_PEM = """-----BEGIN CERTIFICATE-----
MIIBpTCCAUugAwIBAgIUafvtowf060zcOHj1Aoi6etseSRswCgYIKoZIzj0EAwIw
KDEXMBUGA1UEAwwOY3NtcyB0ZXN0IHJvb3QxDTALBgNVBAoMBGNzbXMwHhcNMjYx
MTIxMjAyOTM0WhcNMzYxMTE4MjAyOTM0WjAoMRcwFQYDVQQDDA5jc21zIHRlc3Qg
cm9vdDENMAsGA1UECgwEY3NtczBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBCt
W4clqvU/F2DYhl5OTXMjpupRV//HLmSefl66r274clYPHVOu7cZ/PZPNQybKhNDx
d8YTqw/XE8x8m4SNZaCjUzBRMB0GA1UdDgQWBBTQRQK6bJ0IJB7iT/zP0WM0PnYx
hjAfBgNVHSMEGDAWgBTQRQK6bJ0IJB7iT/zP0WM0PnYxhjAPBgNVHRMBAf8EBTAD
AQH/MAoGCCqGSM49BAMCA0gAMEUCIQCvOF0BUAMiaoNoq0m2HIUIRClHAxxpEkGz
5UFRgTsBpQIgQFjLDkfeji6+Lt27MCJd2P+w36ZypZV/ZiOEgFESWLg=
-----END CERTIFICATE-----
"""
ROOT_ISSUER_NAME_HASH = "d3df90230f33091bd4b54bb0a869184af648861604c7be3f95c173dc22d8153e"
ROOT_ISSUER_KEY_HASH = "a30b22ffdfbed85d332e8d085fb65ea56e8dfef29adc037aa7d826f297f22446"
ROOT_SERIAL = "69fbeda307f4eb4cdc3878f50288ba7adb1e491b"


async def test_get_configuration_fills_the_configuration_cache(kit: Kit) -> None:
    kit.caller.script(
        "GetConfiguration",
        v16.GetConfigurationResponse(
            configuration_key=[
                v16.KeyValue(key="HeartbeatInterval", readonly=False, value="300"),
                v16.KeyValue(key="NumberOfConnectors", readonly=True, value="2"),
                v16.KeyValue(key="Empty", readonly=False),
            ],
            unknown_key=["Nope"],
        ),
    )
    await kit.commands.send("CP1", v16.GetConfigurationRequest())
    cached = await kit.stores.station_state.configuration("CP1")
    assert [(e.key, e.value, e.readonly) for e in cached] == [
        ("Empty", None, False),
        ("HeartbeatInterval", "300", False),
        ("NumberOfConnectors", "2", True),
    ]


async def test_change_configuration_is_remembered_only_when_the_station_took_it(kit: Kit) -> None:
    kit.caller.script(
        "ChangeConfiguration",
        v16.ChangeConfigurationResponse(status="RebootRequired"),
        v16.ChangeConfigurationResponse(status="Rejected"),
    )
    await kit.commands.send("CP1", v16.ChangeConfigurationRequest(key="A", value="1"))
    await kit.commands.send("CP1", v16.ChangeConfigurationRequest(key="B", value="2"))
    cached = await kit.stores.station_state.configuration("CP1")
    assert [(e.key, e.value) for e in cached] == [("A", "1")]


async def test_availability_is_remembered_when_accepted_or_scheduled(kit: Kit) -> None:
    kit.caller.script(
        "ChangeAvailability",
        v16.ChangeAvailabilityResponse(status="Scheduled"),
        v16.ChangeAvailabilityResponse(status="Rejected"),
    )
    await kit.commands.send("CP1", v16.ChangeAvailabilityRequest(connector_id=1, type="Inoperative"))
    await kit.commands.send("CP1", v16.ChangeAvailabilityRequest(connector_id=2, type="Inoperative"))
    known = await kit.stores.station_state.availability("CP1")
    assert [(a.connector_id, a.availability) for a in known] == [(1, "Inoperative")]


def test_hash_data_of_a_self_signed_root_matches_openssl() -> None:
    data = hash_data(ROOT_PEM)
    assert data is not None
    assert (data.issuer_name_hash, data.issuer_key_hash, data.serial_number) == (
        ROOT_ISSUER_NAME_HASH, ROOT_ISSUER_KEY_HASH, ROOT_SERIAL,
    )
    assert hash_data("not a certificate") is None


async def test_installed_certificates_follow_get_install_and_delete(kit: Kit) -> None:
    other = v16.CertificateHashData(
        hash_algorithm="SHA256", issuer_name_hash="aa", issuer_key_hash="bb", serial_number="01"
    )
    kit.caller.script(
        "GetInstalledCertificateIds",
        v16.GetInstalledCertificateIdsResponse(status="Accepted", certificate_hash_data=[other]),
    )
    kit.caller.script("InstallCertificate", v16.InstallCertificateResponse(status="Accepted"))
    kit.caller.script("DeleteCertificate", v16.DeleteCertificateResponse(status="Accepted"))
    state = kit.stores.station_state
    use: v16.CertificateUse = "CentralSystemRootCertificate"
    await kit.commands.send("CP1", v16.GetInstalledCertificateIdsRequest(certificate_type=use))
    assert [c.serial_number for c in await state.certificates("CP1")] == ["01"]

    await kit.commands.send("CP1", v16.InstallCertificateRequest(certificate_type=use, certificate=ROOT_PEM))
    assert sorted(c.serial_number for c in await state.certificates("CP1")) == ["01", ROOT_SERIAL]

    await kit.commands.send("CP1", v16.DeleteCertificateRequest(certificate_hash_data=other))
    assert [c.issuer_key_hash for c in await state.certificates("CP1")] == [ROOT_ISSUER_KEY_HASH]


async def test_not_found_certificates_empty_that_type(kit: Kit) -> None:
    use: v16.CertificateUse = "ManufacturerRootCertificate"
    kit.caller.script("InstallCertificate", v16.InstallCertificateResponse(status="Accepted"))
    kit.caller.script(
        "GetInstalledCertificateIds", v16.GetInstalledCertificateIdsResponse(status="NotFound")
    )
    await kit.commands.send("CP1", v16.InstallCertificateRequest(certificate_type=use, certificate=ROOT_PEM))
    await kit.commands.send("CP1", v16.GetInstalledCertificateIdsRequest(certificate_type=use))
    assert await kit.stores.station_state.certificates("CP1") == []


def _data(tag: str, status: v16.AuthorizationStatus | None = "Accepted") -> v16.AuthorizationData:
    if status is None:
        return v16.AuthorizationData(id_tag=tag)
    return v16.AuthorizationData(id_tag=tag, id_tag_info=v16.IdTagInfo(status=status))


async def test_send_local_list_full_then_differential_is_merged(kit: Kit) -> None:
    kit.caller.script(
        "SendLocalList",
        v16.SendLocalListResponse(status="Accepted"),
        v16.SendLocalListResponse(status="Accepted"),
        v16.SendLocalListResponse(status="VersionMismatch"),
    )
    full = v16.SendLocalListRequest(
        list_version=3, update_type="Full", local_authorization_list=[_data("A"), _data("B")]
    )
    await kit.commands.send("CP1", full)
    diff = v16.SendLocalListRequest(
        list_version=4,
        update_type="Differential",
        local_authorization_list=[_data("A", None), _data("C", "Blocked")],
    )
    await kit.commands.send("CP1", diff)
    refused = v16.SendLocalListRequest(list_version=9, update_type="Full")
    await kit.commands.send("CP1", refused)
    held = await kit.stores.station_state.local_list("CP1")
    assert held is not None
    assert held.version == 4
    assert held.entries == (LocalListEntry("B", "Accepted"), LocalListEntry("C", "Blocked"))


async def test_get_local_list_version_records_the_stations_version(kit: Kit) -> None:
    expiry = datetime(2030, 1, 1, tzinfo=UTC)
    info = v16.IdTagInfo(status="Accepted", expiry_date=expiry, parent_id_tag="P")
    kit.caller.script("SendLocalList", v16.SendLocalListResponse(status="Accepted"))
    kit.caller.script(
        "GetLocalListVersion",
        v16.GetLocalListVersionResponse(list_version=2),
        v16.GetLocalListVersionResponse(list_version=5),
    )
    sent = v16.SendLocalListRequest(
        list_version=2,
        update_type="Full",
        local_authorization_list=[v16.AuthorizationData(id_tag="A", id_tag_info=info)],
    )
    await kit.commands.send("CP1", sent)
    await kit.commands.send("CP1", v16.GetLocalListVersionRequest())
    held = await kit.stores.station_state.local_list("CP1")
    assert held is not None
    assert held.entries == (LocalListEntry("A", "Accepted", expiry, "P"),)
    await kit.commands.send("CP1", v16.GetLocalListVersionRequest())
    held = await kit.stores.station_state.local_list("CP1")
    assert held is not None
    assert (held.version, held.entries) == (5, ())

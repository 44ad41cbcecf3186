"""OCPP 1.6 Core station->CSMS actions, through the route table, on in-memory stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from csms.domain import AuthorizationStatus, IdTag, RegistrationStatus
from csms.ocpp import ErrorKind, OcppError
from tests.handlers.conftest import Harness

BOOT = {"chargePointVendor": "VendorX", "chargePointModel": "ModelX123",
        "chargeBoxSerialNumber": "12345", "firmwareVersion": "1.2.1", "iccid": "8931",
        "imsi": "2041", "meterType": "DC-Meter", "chargePointSerialNumber": "SN-9"}


async def test_boot_notification_is_accepted_with_the_heartbeat_interval(harness: Harness) -> None:
    answer = await harness.call("BootNotification", BOOT)
    assert answer == {"status": "Accepted", "currentTime": "2025-01-15T02:09:54Z", "interval": 300}
    station = await harness.stores.stations.get("CP1")
    assert station is not None
    assert (station.vendor, station.model, station.firmware_version) == ("VendorX", "ModelX123", "1.2.1")
    assert (station.iccid, station.imsi, station.meter_type) == ("8931", "2041", "DC-Meter")
    assert (station.serial_number, station.charge_box_serial_number) == ("SN-9", "12345")
    assert station.ocpp_version == "ocpp1.6"


@pytest.mark.parametrize("status", [RegistrationStatus.PENDING, RegistrationStatus.REJECTED])
async def test_boot_of_a_station_not_accepted_gets_its_status_and_the_retry_interval(
    harness: Harness, status: RegistrationStatus
) -> None:
    await harness.services.stations.set_registration("CP1", status)
    answer = await harness.call("BootNotification", BOOT)
    assert (answer["status"], answer["interval"]) == (status.value, 60)


async def test_heartbeat_answers_the_time_and_marks_the_station_seen(harness: Harness) -> None:
    assert await harness.call("Heartbeat", {}) == {"currentTime": "2025-01-15T02:09:54Z"}
    await harness.services.write_behind.flush()
    station = await harness.stores.stations.get("CP1")
    assert station is not None
    assert station.last_seen_at == harness.clock.now()


async def test_status_notification_keeps_current_status_and_history(harness: Harness) -> None:
    for status in ("Available", "Preparing", "Charging"):
        await harness.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                                  "status": status})
    await harness.call("StatusNotification", {
        "connectorId": 0, "errorCode": "GroundFailure", "status": "Faulted", "info": "earth",
        "vendorId": "VX", "vendorErrorCode": "E17", "timestamp": "2025-01-15T02:00:00+01:00"})
    current = await harness.stores.statuses.current("CP1")
    assert [(e.evse_id, e.connector_id, e.status.value) for e in current] == [
        (0, 0, "Faulted"), (1, 1, "Charging")]
    station_event = current[0]
    assert (station_event.error_code, station_event.info, station_event.vendor_error_code) == (
        "GroundFailure", "earth", "E17")
    assert station_event.timestamp is not None
    assert station_event.timestamp.isoformat() == "2025-01-15T01:00:00+00:00"
    assert len(await harness.stores.statuses.history("CP1")) == 4


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (None, "Invalid"),
        (IdTag("TAG", AuthorizationStatus.ACCEPTED), "Accepted"),
        (IdTag("TAG", AuthorizationStatus.BLOCKED), "Blocked"),
        (IdTag("TAG", AuthorizationStatus.EXPIRED), "Expired"),
    ],
)
async def test_authorize_answers_the_tags_status(
    harness: Harness, stored: IdTag | None, expected: str
) -> None:
    if stored is not None:
        await harness.stores.id_tags.upsert(stored)
    answer = await harness.call("Authorize", {"idTag": "TAG"})
    assert answer["idTagInfo"]["status"] == expected


async def test_a_tag_past_its_expiry_date_is_expired(harness: Harness) -> None:
    expiry = harness.clock.now() + timedelta(hours=1)
    await harness.stores.id_tags.upsert(IdTag("TAG", expiry_date=expiry, parent_id_tag="GROUP"))
    answer = await harness.call("Authorize", {"idTag": "TAG"})
    assert answer["idTagInfo"] == {"status": "Accepted", "expiryDate": "2025-01-15T03:09:54Z",
                                   "parentIdTag": "GROUP"}
    harness.clock.advance(3600)
    answer = await harness.call("Authorize", {"idTag": "TAG"})
    assert answer["idTagInfo"]["status"] == "Expired"


async def test_a_tag_already_charging_is_concurrent_tx(harness: Harness) -> None:
    await harness.stores.id_tags.upsert(IdTag("TAG"))
    await harness.call("StartTransaction", {"connectorId": 1, "idTag": "TAG", "meterStart": 0,
                                            "timestamp": "2025-01-15T02:09:54Z"})
    answer = await harness.call("Authorize", {"idTag": "TAG"})
    assert answer["idTagInfo"]["status"] == "ConcurrentTx"


async def test_data_transfer_to_an_unknown_vendor_is_unknown_vendor_id(harness: Harness) -> None:
    answer = await harness.call("DataTransfer", {"vendorId": "com.acme", "data": "x"})
    assert answer == {"status": "UnknownVendorId"}


async def test_data_transfer_is_routed_by_vendor_id(harness: Harness) -> None:
    async def acme(station_id: str, message_id: str | None, data: str | None) -> tuple[str, str | None]:
        return "Accepted", f"{station_id}:{message_id}:{data}"

    harness.services.data_transfer.register("com.acme", acme)
    answer = await harness.call("DataTransfer", {"vendorId": "com.acme", "messageId": "m", "data": "d"})
    assert answer == {"status": "Accepted", "data": "CP1:m:d"}


async def test_firmware_and_diagnostics_status_are_kept_on_the_station(harness: Harness) -> None:
    await harness.call("FirmwareStatusNotification", {"status": "Downloading"})
    await harness.call("DiagnosticsStatusNotification", {"status": "Uploaded"})
    station = await harness.stores.stations.get("CP1")
    assert station is not None
    assert (station.firmware_status, station.diagnostics_status) == ("Downloading", "Uploaded")


@pytest.mark.parametrize(
    ("action", "payload", "kind"),
    [
        ("FooBar", {}, ErrorKind.NOT_IMPLEMENTED),
        ("Reset", {"type": "Soft"}, ErrorKind.NOT_SUPPORTED),
        ("Authorize", {}, ErrorKind.OCCURRENCE_CONSTRAINT),
        ("Authorize", {"idTag": 5}, ErrorKind.TYPE_CONSTRAINT),
        ("Authorize", {"idTag": "x" * 21}, ErrorKind.PROPERTY_CONSTRAINT),
        ("Authorize", {"idTag": "A", "extra": 1}, ErrorKind.FORMATION),
        ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Sleeping"},
         ErrorKind.PROPERTY_CONSTRAINT),
        ("StartTransaction", {"connectorId": 1, "idTag": "A", "meterStart": 0, "timestamp": "yesterday"},
         ErrorKind.PROPERTY_CONSTRAINT),
    ],
)
async def test_bad_calls_raise_the_error_the_spec_names(
    harness: Harness, action: str, payload: dict[str, object], kind: ErrorKind
) -> None:
    with pytest.raises(OcppError) as raised:
        await harness.call(action, payload)
    assert raised.value.kind is kind


async def test_lenient_station_gets_unknown_fields_dropped(harness: Harness) -> None:
    harness.lenient = True
    answer = await harness.call("Authorize", {"idTag": "A", "vendorExtra": {"x": 1}})
    assert answer["idTagInfo"]["status"] == "Invalid"
    answer = await harness.call("StatusNotification", {"connectorId": "1", "errorCode": "NoError",
                                                       "status": "Available", "foo": 1})
    assert answer == {}

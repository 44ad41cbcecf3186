"""How the station answers the central system's calls (OCPP 1.6 §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.simulator.conftest import StationFactory, registered
from tests.simulator.fake_csms import FakeCentralSystem, Json

TX_PROFILE: Json = {
    "transactionId": 11902,
    "chargingProfileId": 1,
    "stackLevel": 1,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
    },
}


def in_seconds(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def offered(sample: Json) -> float:
    values = sample["meterValue"][0]["sampledValue"]
    return float(next(v["value"] for v in values if v["measurand"] == "Current.Offered"))


async def test_remote_start_is_accepted_then_start_transaction_follows(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    request = {"connectorId": 1, "idTag": "remote-11902", "chargingProfile": TX_PROFILE}

    reply = await csms.call("CP-1", "RemoteStartTransaction", request)

    assert reply[2] == {"status": "Accepted"}
    [start] = await csms.wait_for("StartTransaction")
    assert (start["connectorId"], start["idTag"]) == (1, "remote-11902")
    await csms.until(
        lambda: station.transaction(1) is not None and station.connector(1).status == "Charging"
    )
    tx = station.transaction(1)
    assert tx is not None
    assert tx.charging_profile is not None
    assert tx.charging_profile.charging_profile_id == 1
    [sample] = await csms.wait_for("MeterValues")
    assert offered(sample) == 16.0  # the TxProfile's limit


async def test_remote_start_without_connector_picks_a_free_one(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    await station.start_transaction(1)

    reply = await csms.call("CP-1", "RemoteStartTransaction", {"idTag": "remote-11902"})

    assert reply[2] == {"status": "Accepted"}
    starts = await csms.wait_for("StartTransaction", count=2)
    assert starts[1]["connectorId"] == 2


async def test_remote_start_on_a_busy_connector_is_rejected(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    await station.start_transaction(1)

    reply = await csms.call("CP-1", "RemoteStartTransaction", {"connectorId": 1, "idTag": "X"})

    assert reply[2] == {"status": "Rejected"}


async def test_remote_start_authorizes_first_when_configured(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    station.configuration.change("AuthorizeRemoteTxRequests", "true")

    await csms.call("CP-1", "RemoteStartTransaction", {"connectorId": 2, "idTag": "T"})

    await csms.wait_for("StartTransaction")
    assert csms.actions().index("Authorize") < csms.actions().index("StartTransaction")


async def test_remote_stop_stops_the_transaction_with_reason_remote(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    transaction_id = await station.start_transaction(1)

    reply = await csms.call("CP-1", "RemoteStopTransaction", {"transactionId": transaction_id})

    assert reply[2] == {"status": "Accepted"}
    [stop] = await csms.wait_for("StopTransaction")
    assert (stop["transactionId"], stop["reason"]) == (transaction_id, "Remote")
    await csms.until(lambda: station.connector(1).status == "Available")


async def test_remote_stop_of_an_unknown_transaction_is_rejected(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    await registered(make_station())

    reply = await csms.call("CP-1", "RemoteStopTransaction", {"transactionId": 999})

    assert reply[2] == {"status": "Rejected"}


async def test_reset_stops_transactions_reconnects_and_boots_again(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    await station.start_transaction(1)

    reply = await csms.call("CP-1", "Reset", {"type": "Soft"})

    assert reply[2] == {"status": "Accepted"}
    await csms.wait_for("BootNotification", count=2)
    assert csms.messages("StopTransaction")[0]["reason"] == "SoftReset"
    await csms.until(lambda: len(csms.connects) == 2 and station.registration.accepted)
    assert csms.disconnects == ["CP-1"]


async def test_an_unknown_action_is_answered_not_implemented(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    await registered(make_station())

    reply = await csms.call("CP-1", "MakeCoffee", {})

    assert reply[:3] == [4, reply[1], "NotImplemented"]


async def test_a_station_to_csms_action_is_answered_not_supported(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    await registered(make_station())

    reply = await csms.call("CP-1", "Heartbeat", {})

    assert reply[2] == "NotSupported"


async def test_a_payload_that_breaks_the_schema_gets_the_matching_violation(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    await registered(make_station())

    missing = await csms.call("CP-1", "RemoteStopTransaction", {})
    wrong_type = await csms.call("CP-1", "RemoteStopTransaction", {"transactionId": "x"})

    assert missing[2] == "OccurenceConstraintViolation"
    assert wrong_type[2] == "TypeConstraintViolation"


async def test_get_and_change_configuration_use_a_real_key_store(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    await registered(make_station(connectors=3))

    got = await csms.call("CP-1", "GetConfiguration", {"key": ["NumberOfConnectors", "Nope"]})
    readonly = await csms.call(
        "CP-1", "ChangeConfiguration", {"key": "NumberOfConnectors", "value": "9"}
    )
    unknown = await csms.call("CP-1", "ChangeConfiguration", {"key": "Nope", "value": "1"})
    invalid = await csms.call(
        "CP-1", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "x"}
    )
    everything = await csms.call("CP-1", "GetConfiguration", {})

    assert got[2] == {
        "configurationKey": [{"key": "NumberOfConnectors", "readonly": True, "value": "3"}],
        "unknownKey": ["Nope"],
    }
    assert [readonly[2], unknown[2], invalid[2]] == [
        {"status": "Rejected"},
        {"status": "NotSupported"},
        {"status": "Rejected"},
    ]
    keys = {k["key"] for k in everything[2]["configurationKey"]}
    assert {"HeartbeatInterval", "MeterValueSampleInterval", "MeterValuesSampledData"} <= keys
    assert "unknownKey" not in everything[2]


async def test_changing_the_sample_interval_takes_effect(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(meter_interval=3600))
    await station.start_transaction(1)

    reply = await csms.call(
        "CP-1", "ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "1"}
    )

    assert reply[2] == {"status": "Accepted"}
    await csms.wait_for("MeterValues", within=3.0)


async def test_trigger_message_is_accepted_then_the_message_is_sent(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    await station.start_transaction(2)

    status = await csms.call(
        "CP-1", "TriggerMessage", {"requestedMessage": "StatusNotification", "connectorId": 2}
    )
    meter = await csms.call(
        "CP-1", "TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 2}
    )
    bad = await csms.call(
        "CP-1", "TriggerMessage", {"requestedMessage": "Heartbeat", "connectorId": 7}
    )

    assert [status[2], meter[2], bad[2]] == [
        {"status": "Accepted"},
        {"status": "Accepted"},
        {"status": "Rejected"},
    ]
    [sample] = await csms.wait_for("MeterValues")
    assert sample["meterValue"][0]["sampledValue"][0]["context"] == "Trigger"
    await csms.until(lambda: csms.messages("StatusNotification")[-1]["status"] == "Charging")


async def test_change_availability_is_scheduled_while_charging(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    await station.start_transaction(1)

    busy = await csms.call("CP-1", "ChangeAvailability", {"connectorId": 1, "type": "Inoperative"})
    idle = await csms.call("CP-1", "ChangeAvailability", {"connectorId": 2, "type": "Inoperative"})
    await csms.until(lambda: station.connector(2).status == "Unavailable")
    await station.stop_transaction(1)

    assert busy[2] == {"status": "Scheduled"}
    assert idle[2] == {"status": "Accepted"}
    assert station.connector(1).status == "Unavailable"


async def test_unlock_connector_stops_the_transaction_with_reason_unlock_command(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    await station.start_transaction(1)

    reply = await csms.call("CP-1", "UnlockConnector", {"connectorId": 1})

    assert reply[2] == {"status": "Unlocked"}
    [stop] = await csms.wait_for("StopTransaction")
    assert stop["reason"] == "UnlockCommand"


async def test_simple_answers(csms: FakeCentralSystem, make_station: StationFactory) -> None:
    await registered(make_station())
    calls: list[tuple[str, Json, Any]] = [
        ("ClearCache", {}, {"status": "Accepted"}),
        ("DataTransfer", {"vendorId": "acme"}, {"status": "UnknownVendorId"}),
        ("GetLocalListVersion", {}, {"listVersion": 0}),
        (
            "SendLocalList",
            {
                "listVersion": 4,
                "updateType": "Full",
                "localAuthorizationList": [{"idTag": "A", "idTagInfo": {"status": "Accepted"}}],
            },
            {"status": "Accepted"},
        ),
        ("GetLocalListVersion", {}, {"listVersion": 4}),
        ("UnlockConnector", {"connectorId": 0}, {"status": "NotSupported"}),
        ("CancelReservation", {"reservationId": 1}, {"status": "Rejected"}),
    ]
    for action, payload, expected in calls:
        reply = await csms.call("CP-1", action, payload)
        assert reply[2] == expected, action


async def test_reserve_now_reserves_until_cancelled(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    reserve = {"connectorId": 1, "expiryDate": in_seconds(60), "idTag": "R", "reservationId": 7}

    reserved = await csms.call("CP-1", "ReserveNow", reserve)
    await csms.until(lambda: station.connector(1).status == "Reserved")
    occupied = await csms.call("CP-1", "ReserveNow", {**reserve, "reservationId": 8})
    cancelled = await csms.call("CP-1", "CancelReservation", {"reservationId": 7})

    assert [reserved[2], occupied[2], cancelled[2]] == [
        {"status": "Accepted"},
        {"status": "Occupied"},
        {"status": "Accepted"},
    ]
    await csms.until(lambda: station.connector(1).status == "Available")


async def test_a_reserved_connector_starts_with_the_reservation_id(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    reserve = {"connectorId": 2, "expiryDate": in_seconds(60), "idTag": "R", "reservationId": 3}
    await csms.call("CP-1", "ReserveNow", reserve)
    await csms.until(lambda: station.connector(2).status == "Reserved")

    await station.start_transaction(2, "R")

    assert csms.messages("StartTransaction")[0]["reservationId"] == 3


async def test_charging_profiles_limit_the_current_and_can_be_cleared(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    transaction_id = await station.start_transaction(1)
    profile = {**TX_PROFILE, "transactionId": transaction_id}
    profile["chargingSchedule"] = {
        "chargingRateUnit": "W",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 2300.0}],
    }

    no_tx = await csms.call(
        "CP-1", "SetChargingProfile", {"connectorId": 2, "csChargingProfiles": profile}
    )
    accepted = await csms.call(
        "CP-1", "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": profile}
    )
    schedule = await csms.call("CP-1", "GetCompositeSchedule", {"connectorId": 1, "duration": 600})
    limited = station.connector(1).meter.current_offered
    cleared = await csms.call("CP-1", "ClearChargingProfile", {"id": 1})
    again = await csms.call("CP-1", "ClearChargingProfile", {"id": 1})

    assert no_tx[2] == {"status": "Rejected"}
    assert accepted[2] == {"status": "Accepted"}
    assert limited == 10.0  # 2300 W at 230 V
    assert schedule[2]["status"] == "Accepted"
    assert schedule[2]["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 10.0}
    ]
    assert [cleared[2], again[2]] == [{"status": "Accepted"}, {"status": "Unknown"}]
    assert station.connector(1).meter.current_offered == 32.0


async def test_get_diagnostics_and_update_firmware_report_their_progress(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    await registered(make_station())

    diagnostics = await csms.call("CP-1", "GetDiagnostics", {"location": "ftp://example.com/up"})
    firmware = await csms.call(
        "CP-1",
        "UpdateFirmware",
        {"location": "https://example.com/fw.bin", "retrieveDate": in_seconds(0)},
    )

    assert diagnostics[2]["fileName"].startswith("diagnostics-CP-1-")
    assert firmware[2] == {}
    uploads = await csms.wait_for("DiagnosticsStatusNotification", count=2)
    assert [u["status"] for u in uploads] == ["Uploading", "Uploaded"]
    steps = await csms.wait_for("FirmwareStatusNotification", count=4)
    assert [s["status"] for s in steps] == ["Downloading", "Downloaded", "Installing", "Installed"]

"""The command service: the station's own answer back, failures unchanged, nothing sent
that breaks the schema, every outcome on the event bus."""

from __future__ import annotations

import pytest

from csms.gateway import CommandTimeout, StationCallError
from csms.ocpp.messages import v16
from csms.services.commands import COMMANDS, InvalidCommand, UnknownCommand, action_of, parse
from csms.services.commands.validation import field_of
from csms.services.events import EventType
from tests.services.command_kit import Kit


def test_the_catalog_holds_every_csms_initiated_operation_of_1_6_and_its_security_extension() -> None:
    assert len(COMMANDS) == 26
    assert {"RemoteStartTransaction", "GetCompositeSchedule", "SignedUpdateFirmware"} <= set(COMMANDS)
    assert "Heartbeat" not in COMMANDS
    assert "StartTransaction" not in COMMANDS


async def test_send_returns_the_stations_answer_and_publishes_it(kit: Kit) -> None:
    kit.caller.script("Reset", v16.ResetResponse(status="Rejected"))
    with kit.events.subscribe() as events:
        answer = await kit.commands.send("CP1", v16.ResetRequest(type="Hard"), timeout=3)
        event = await events.next(0.1)
    assert answer == v16.ResetResponse(status="Rejected")
    assert [(s.action, s.timeout) for s in kit.caller.sent] == [("Reset", 3)]
    assert event is not None
    assert event.type is EventType.COMMAND_ANSWERED
    assert event.data == {"action": "Reset", "response": {"status": "Rejected"}}


async def test_a_failed_call_is_raised_unchanged_and_published(kit: Kit) -> None:
    error = StationCallError("NotSupported", "no", {})
    kit.caller.script("ClearCache", error, CommandTimeout("late"))
    with kit.events.subscribe() as events:
        with pytest.raises(StationCallError) as raised:
            await kit.commands.send("CP1", v16.ClearCacheRequest())
        with pytest.raises(CommandTimeout):
            await kit.commands.send("CP1", v16.ClearCacheRequest())
        first = await events.next(0.1)
    assert raised.value is error
    assert first is not None
    assert first.type is EventType.COMMAND_FAILED
    assert first.data["error"] == "StationCallError"


async def test_a_request_built_in_code_that_breaks_the_schema_is_never_sent(kit: Kit) -> None:
    request = v16.RemoteStartTransactionRequest(id_tag="x" * 21)
    with pytest.raises(InvalidCommand) as raised:
        await kit.commands.send("CP1", request)
    assert raised.value.field == "idTag"
    assert kit.caller.sent == []


def test_only_csms_initiated_requests_are_commands() -> None:
    assert action_of(v16.UnlockConnectorRequest(connector_id=1)) == "UnlockConnector"
    with pytest.raises(UnknownCommand):
        action_of(v16.HeartbeatRequest())


def test_parse_decodes_a_body_into_the_typed_request() -> None:
    request = parse("ChangeAvailability", b'{"connectorId": 0, "type": "Inoperative"}')
    assert request == v16.ChangeAvailabilityRequest(connector_id=0, type="Inoperative")
    assert parse("ClearCache", b"") == v16.ClearCacheRequest()


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("Reset", b'{"type": "Warm"}', "type"),
        ("Reset", b"{}", "type"),
        ("Reset", b'{"type": "Soft", "extra": 1}', "extra"),
        ("UnlockConnector", b'{"connectorId": "1"}', "connectorId"),
        ("RemoteStartTransaction", b'{"idTag": "abcdefghijklmnopqrstu"}', "idTag"),
        (
            "RemoteStartTransaction",
            b'{"idTag": "t", "chargingProfile": {"chargingProfileId": 1, "stackLevel": 0,'
            b' "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",'
            b' "chargingSchedule": {"chargingRateUnit": "A",'
            b' "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.33}]}}}',
            "chargingProfile.chargingSchedule.chargingSchedulePeriod[0].limit",
        ),
        ("GetConfiguration", b'{"key": [1]}', "key[0]"),
        ("Reset", b"[]", None),
        ("Reset", b"{not json", None),
    ],
)
def test_an_invalid_body_names_the_field_that_is_wrong(
    action: str, body: bytes, field: str | None
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        parse(action, body)
    assert raised.value.field == field


def test_field_of_reads_msgspec_paths() -> None:
    message = "Object missing required field `chargingRateUnit` - at `$.chargingProfile.chargingSchedule`"
    assert field_of(message) == "chargingProfile.chargingSchedule.chargingRateUnit"
    assert field_of("Expected `int`, got `str` - at `$.connectorId`") == "connectorId"

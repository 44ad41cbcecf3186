"""Every command through the API against a real simulated station: the station's own
answer, its CallError as 502, silence as 504, an offline station as 409, invalid input as
422 before anything is sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, get_args, get_type_hints

import msgspec
import pytest

from csms.api.models.commands import EXAMPLES
from csms.domain import Direction
from csms.ocpp.messages import v16
from csms.services.commands import COMMANDS
from csms.storage.memory import memory_stores
from tests.api.live_site import TAG, Live, live_site, until

ACTIONS = sorted(COMMANDS)
NO_STATUS_ANSWERS: dict[str, msgspec.Struct] = {
    "GetConfiguration": v16.GetConfigurationResponse(
        configuration_key=[v16.KeyValue(key="HeartbeatInterval", readonly=False, value="60")]
    ),
    "GetDiagnostics": v16.GetDiagnosticsResponse(file_name="diagnostics.zip"),
    "GetLocalListVersion": v16.GetLocalListVersionResponse(list_version=3),
    "UpdateFirmware": v16.UpdateFirmwareResponse(),
}


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    async with live_site(tmp_path, stores=memory_stores()) as site:
        yield site


def path(action: str, station: str = "CP1") -> str:
    return f"/api/v1/stations/{station}/commands/{action}"


def statuses(action: str) -> list[str | None]:
    """The first and the last status the station may answer ``action`` with ([None]: the
    answer has no status)."""
    hints = get_type_hints(COMMANDS[action].response, include_extras=True)
    status = hints.get("status")
    return [None] if status is None else [str(get_args(status)[0]), str(get_args(status)[-1])]


async def test_each_command_answers_with_the_stations_own_reply(live: Live) -> None:
    cases = [(action, status) for action in ACTIONS for status in statuses(action)]
    for action, status in cases:  # one station: each answer is scripted, nothing else happens
        if status is not None:
            live.station.script(action, status=status)
        else:
            live.station.script(action, response=NO_STATUS_ANSWERS[action])
        answered = await live.operator.post(path(action), json=EXAMPLES[action])
        assert answered.status_code == 200, (action, answered.text)
        body = answered.json()
        assert (body["station_id"], body["action"], body["status"]) == ("CP1", action, status)
        expected = (
            {"status": status} if status else msgspec.to_builtins(NO_STATUS_ANSWERS[action])
        )
        assert body["response"] == expected, action


async def test_a_call_error_from_the_station_is_a_502_with_its_code(live: Live) -> None:
    for action in ACTIONS:
        live.station.script(action, error="NotSupported", description=f"no {action} here")
        answered = await live.operator.post(path(action), json=EXAMPLES[action])
        assert answered.status_code == 502, action
        body = answered.json()
        assert body["error"] == "station_call_error"
        assert body["station_error_code"] == "NotSupported"
        assert body["station_error_description"] == f"no {action} here"


@pytest.mark.parametrize("action", ["Reset", "RemoteStartTransaction", "GetLog", "SendLocalList"])
async def test_a_station_that_does_not_answer_is_a_504(live: Live, action: str) -> None:
    live.station.script(action, no_answer=True)
    answered = await live.operator.post(f"{path(action)}?timeout=0.2", json=EXAMPLES[action])
    assert answered.status_code == 504
    assert answered.json()["error"] == "station_timeout"


async def test_a_rejected_remote_start_is_the_stations_answer(live: Live) -> None:
    live.station.script("RemoteStartTransaction", status="Rejected")
    body = {"connectorId": 1, "idTag": TAG}
    answered = await live.operator.post(
        path("RemoteStartTransaction") + "?wait_for_transaction=5", json=body
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "Rejected"
    assert answered.json()["transaction_id"] is None


async def test_remote_start_returns_the_transaction_id_and_remote_stop_the_energy(live: Live) -> None:
    start = {"connectorId": 2, "idTag": TAG, "chargingProfile": EXAMPLES["RemoteStartTransaction"]["chargingProfile"]}
    answered = await live.operator.post(
        path("RemoteStartTransaction") + "?wait_for_transaction=5", json=start
    )
    assert answered.status_code == 200, answered.text
    started = answered.json()
    assert (started["status"], started["connector_id"]) == ("Accepted", 2)
    transaction_id = started["transaction_id"]
    stored = await live.app.stores.transactions.get(transaction_id)
    assert stored is not None
    assert (stored.evse_id, stored.id_tag) == (2, TAG)
    await live.station.wait_meter_values(2, 2)
    stopped = await live.operator.post(
        path("RemoteStopTransaction") + "?wait_for_stop=5", json={"transactionId": transaction_id}
    )
    assert stopped.status_code == 200, stopped.text
    body = stopped.json()
    assert (body["status"], body["stopped"], body["transaction_id"]) == ("Accepted", True, transaction_id)
    assert body["energy_kwh"] > 0


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("Reset", {"type": "Warm"}, "body.type"),
        ("RemoteStartTransaction", {"connectorId": 1}, "body.idTag"),
        ("ChangeAvailability", {"connectorId": "1", "type": "Operative"}, "body.connectorId"),
        (
            "SetChargingProfile",
            {"connectorId": 1, "csChargingProfiles": {**EXAMPLES["RemoteStartTransaction"]["chargingProfile"], "stackLevel": "high"}},
            "body.csChargingProfiles.stackLevel",
        ),
        ("Reset", {"type": "Soft", "when": "now"}, "body.when"),
    ],
)
async def test_invalid_input_is_a_422_naming_the_field_and_nothing_is_sent(
    live: Live, action: str, body: dict[str, Any], field: str
) -> None:
    answered = await live.operator.post(path(action), json=body)
    assert answered.status_code == 422
    assert answered.json()["fields"][0]["field"] == field
    await live.app.services.write_behind.flush()
    sent = await live.app.stores.messages.recent("CP1", limit=100, action=action)
    assert sent == []


async def test_a_body_that_is_not_json_is_a_422(live: Live) -> None:
    answered = await live.operator.post(path("Reset"), content=b"{type: Soft}")
    assert answered.status_code == 422
    assert answered.json()["fields"] == [{"field": "body", "message": answered.json()["fields"][0]["message"]}]


async def test_an_unknown_station_is_404_and_an_offline_one_409(live: Live) -> None:
    unknown = await live.operator.post(path("Reset", "NOPE"), json={"type": "Soft"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "station_not_found")
    await live.app.services.stations.add("CP2")
    offline = await live.operator.post(path("Reset", "CP2"), json={"type": "Soft"})
    assert (offline.status_code, offline.json()["error"]) == (409, "station_offline")


async def test_a_station_that_disconnects_mid_call_fails_it_with_409_at_once(live: Live) -> None:
    live.station.script("GetConfiguration", no_answer=True)
    call = asyncio.create_task(live.operator.post(path("GetConfiguration") + "?timeout=30", json={}))
    await asyncio.sleep(0.2)
    started = asyncio.get_running_loop().time()
    await live.station.disconnect()
    answered = await asyncio.wait_for(call, 5)
    assert answered.status_code == 409
    assert answered.json()["error"] == "station_offline"
    assert asyncio.get_running_loop().time() - started < 2


async def test_concurrent_commands_to_one_station_queue_one_at_a_time(live: Live) -> None:
    live.station.script("ChangeConfiguration", delay=0.1, always=True)
    bodies = [{"key": "MeterValueSampleInterval", "value": str(n)} for n in (10, 20, 30)]
    answers = await asyncio.gather(
        *(live.operator.post(path("ChangeConfiguration"), json=b) for b in bodies)
    )
    assert [a.json()["status"] for a in answers] == ["Accepted"] * 3
    await live.app.services.write_behind.flush()
    log = reversed(await live.app.stores.messages.recent("CP1", 200))
    frames = [(m.direction, json.loads(m.frame)) for m in log]
    calls = {f[1] for d, f in frames if d is Direction.OUTBOUND and f[2] == "ChangeConfiguration"}
    exchange = [f[0] for d, f in frames if f[1] in calls and (d is Direction.OUTBOUND) == (f[0] == 2)]
    assert exchange == [2, 3] * 3  # each CALL only after the previous one's CALLRESULT


async def test_a_late_answer_after_a_timeout_never_reaches_the_next_caller(live: Live) -> None:
    late = v16.DataTransferResponse(status="Accepted", data="late")
    mine = v16.DataTransferResponse(status="Accepted", data="mine")
    live.station.script("DataTransfer", response=late, delay=0.4)
    live.station.script("DataTransfer", response=mine, delay=0.5)
    body = {"vendorId": "com.example"}
    first = await live.operator.post(path("DataTransfer") + "?timeout=0.2", json=body)
    assert first.status_code == 504
    second = await live.operator.post(path("DataTransfer") + "?timeout=5", json=body)
    assert second.status_code == 200
    assert second.json()["response"] == {"status": "Accepted", "data": "mine"}


async def test_answers_that_change_state_are_remembered(live: Live) -> None:
    await live.operator.post(path("GetConfiguration"), json={"key": ["HeartbeatInterval"]})
    await live.operator.post(path("ChangeAvailability"), json={"connectorId": 2, "type": "Inoperative"})
    state = live.app.stores.station_state
    assert [e.key for e in await state.configuration("CP1")] == ["HeartbeatInterval"]
    assert [(a.connector_id, a.availability) for a in await state.availability("CP1")] == [(2, "Inoperative")]

    async def reported() -> bool:
        statuses = await live.app.stores.statuses.current("CP1")
        return any(s.evse_id == 2 and s.status.value == "Unavailable" for s in statuses)

    await until(reported)


async def test_installed_certificates_are_listed(live: Live) -> None:
    hashes = v16.CertificateHashData(
        hash_algorithm="SHA256", issuer_name_hash="aa", issuer_key_hash="bb", serial_number="01"
    )
    live.station.script(
        "GetInstalledCertificateIds",
        response=v16.GetInstalledCertificateIdsResponse(status="Accepted", certificate_hash_data=[hashes]),
    )
    await live.operator.post(path("GetInstalledCertificateIds"), json=EXAMPLES["GetInstalledCertificateIds"])
    listed = await live.operator.get("/api/v1/stations/CP1/certificates")
    assert [c["serial_number"] for c in listed.json()] == ["01"]


async def test_only_operators_and_admins_send_commands(live: Live) -> None:
    driver = await live.client("driver", owner="alice")
    refused = await driver.post(path("Reset"), json={"type": "Soft"})
    assert refused.status_code == 403
    admin = await live.client("admin")
    assert (await admin.post(path("ClearCache"), json={})).status_code == 200


async def test_the_openapi_document_describes_each_commands_request_and_answer(live: Live) -> None:
    document = (await live.operator.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for action in ACTIONS:
        operation = document["paths"][f"/api/v1/stations/{{station_id}}/commands/{action}"]["post"]
        body = operation["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": f"#/components/schemas/ocpp16.{action}Request"}
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer["properties"]["response"]["$ref"] == f"#/components/schemas/ocpp16.{action}Response"
    assert "ocpp16.ChargingProfile" in schemas
    assert json.dumps(document).count("#/components/schemas/ocpp16.") > 52


async def test_the_command_list_names_every_endpoint(live: Live) -> None:
    listed = (await live.operator.get("/api/v1/commands")).json()
    assert [c["action"] for c in listed] == list(COMMANDS)

"""Scripted answers override the default behaviour, once or always."""

from __future__ import annotations

import asyncio
import time

import msgspec
import pytest

from csms.ocpp.messages import v16
from tests.simulator.conftest import StationFactory, registered
from tests.simulator.fake_csms import FakeCentralSystem


async def test_a_scripted_status_is_answered_once_and_nothing_follows(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    station.script("RemoteStartTransaction", status="Rejected")

    first = await csms.call("CP-1", "RemoteStartTransaction", {"idTag": "T"})
    await asyncio.sleep(0.1)
    started_after_first = len(csms.messages("StartTransaction"))
    second = await csms.call("CP-1", "RemoteStartTransaction", {"idTag": "T"})

    assert first[2] == {"status": "Rejected"}
    assert started_after_first == 0
    assert second[2] == {"status": "Accepted"}
    await csms.wait_for("StartTransaction")


async def test_a_scripted_error_is_a_call_error(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    station.script("Reset", error="NotSupported", description="not today", always=True)

    replies = [await csms.call("CP-1", "Reset", {"type": "Hard"}) for _ in range(2)]

    for reply in replies:
        assert reply[0] == 4
        assert reply[2:4] == ["NotSupported", "not today"]
    assert csms.connects == ["CP-1"]


async def test_no_answer_leaves_the_central_system_waiting(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    station.script("GetConfiguration", no_answer=True)

    with pytest.raises(TimeoutError):
        await csms.call("CP-1", "GetConfiguration", {}, within=0.3)

    reply = await csms.call("CP-1", "GetConfiguration", {"key": ["NumberOfConnectors"]})
    assert reply[0] == 3


async def test_a_delay_alone_delays_the_default_answer(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    station.script("ClearCache", delay=0.3)

    began = time.monotonic()
    reply = await csms.call("CP-1", "ClearCache", {})

    assert reply[2] == {"status": "Accepted"}
    assert time.monotonic() - began >= 0.3


async def test_a_scripted_response_is_sent_as_given(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    station.script("DataTransfer", response=v16.DataTransferResponse(status="Accepted", data="42"))

    reply = await csms.call("CP-1", "DataTransfer", {"vendorId": "acme"})

    assert reply[2] == {"status": "Accepted", "data": "42"}


def test_scripts_that_cannot_be_answered_are_refused_at_once(make_station: StationFactory) -> None:
    station = make_station()

    with pytest.raises(ValueError, match="status"):
        station.script("RemoteStartTransaction", status="Maybe")
    with pytest.raises(ValueError, match="error code"):
        station.script("Reset", error="Oops")
    with pytest.raises(ValueError, match="at most one"):
        station.script("Reset", status="Accepted", no_answer=True)
    with pytest.raises(ValueError, match=r"not a 1\.6 action"):
        station.script("MakeCoffee", status="Accepted")


async def test_call_sends_any_typed_request(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())

    response = await station.call("DataTransfer", v16.DataTransferRequest(vendor_id="acme"))

    assert response == v16.DataTransferResponse(status="UnknownVendorId")
    assert csms.messages("DataTransfer") == [{"vendorId": "acme"}]


async def test_a_call_error_from_the_central_system_is_raised(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    from csms.simulator import CallErrorReceived

    csms.responders["DataTransfer"] = lambda _: ("error", "NotSupported")
    station = await registered(make_station())

    with pytest.raises(CallErrorReceived) as raised:
        await station.call("DataTransfer", v16.DataTransferRequest(vendor_id="acme"))

    assert raised.value.code == "NotSupported"


async def test_a_malformed_frame_gets_a_call_error_back(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())

    station.send_raw('[2,"bad-1","Heartbeat",')
    reply = msgspec.json.decode(await station.next_raw_reply())

    assert reply[0] == 4
    assert reply[2] == "FormationViolation"

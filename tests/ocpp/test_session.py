"""The RPC state machine: strings in, events and frames out, no event loop."""

from __future__ import annotations

import json

import pytest

from csms.ocpp import (
    CallReceived,
    ErrorReceived,
    FrameRejected,
    LateReply,
    OcppVersion,
    ResultReceived,
    RpcSession,
    Unanswerable,
)


def sent(session: RpcSession) -> list[list[object]]:
    return [json.loads(frame) for frame in session.data_to_send()]


def test_a_call_from_the_station_is_reported_with_its_raw_payload() -> None:
    session = RpcSession(OcppVersion.V16)
    event = session.receive('[2,"19223201","BootNotification",{"chargePointVendor":"V"}]', 0)
    assert isinstance(event, CallReceived)
    assert (event.unique_id, event.action) == ("19223201", "BootNotification")
    assert json.loads(bytes(event.payload)) == {"chargePointVendor": "V"}


def test_reply_is_a_call_result_with_the_same_id() -> None:
    session = RpcSession(OcppVersion.V16)
    session.reply("abc", b'{"currentTime":"2025-01-15T02:09:54Z"}')
    assert sent(session) == [[3, "abc", {"currentTime": "2025-01-15T02:09:54Z"}]]


def test_only_one_outgoing_call_is_in_flight_and_the_rest_queue() -> None:
    session = RpcSession(OcppVersion.V16)
    first = session.call("Reset", b'{"type":"Soft"}', timeout=30, now=0)
    second = session.call("ClearCache", b"{}", timeout=30, now=0)
    assert sent(session) == [[2, first.unique_id, "Reset", {"type": "Soft"}]]
    event = session.receive(f'[3,"{first.unique_id}",{{"status":"Accepted"}}]', 1)
    assert isinstance(event, ResultReceived)
    assert event.call is first
    assert sent(session) == [[2, second.unique_id, "ClearCache", {}]]


def test_a_late_reply_after_a_timeout_never_reaches_the_next_caller() -> None:
    session = RpcSession(OcppVersion.V16)
    first = session.call("Reset", b'{"type":"Soft"}', timeout=5, now=0)
    second = session.call("ClearCache", b"{}", timeout=30, now=0)
    session.data_to_send()
    timed_out = session.expire(now=5)
    assert [t.call for t in timed_out] == [first]
    assert sent(session) == [[2, second.unique_id, "ClearCache", {}]]
    late = session.receive(f'[3,"{first.unique_id}",{{"status":"Accepted"}}]', 6)
    assert late == LateReply(first.unique_id)
    assert session.in_flight is second
    answer = session.receive(f'[3,"{second.unique_id}",{{"status":"Accepted"}}]', 7)
    assert isinstance(answer, ResultReceived)
    assert answer.call is second


def test_a_call_that_expires_in_the_queue_is_never_sent() -> None:
    session = RpcSession(OcppVersion.V16)
    first = session.call("Reset", b"{}", timeout=10, now=0)
    queued = session.call("ClearCache", b"{}", timeout=2, now=0)
    session.data_to_send()
    assert [t.call for t in session.expire(now=3)] == [queued]
    assert session.data_to_send() == []
    assert session.in_flight is first
    assert session.next_deadline() == 10


def test_a_call_error_from_the_station_reaches_the_caller() -> None:
    session = RpcSession(OcppVersion.V16)
    call = session.call("DataTransfer", b'{"vendorId":"x"}', timeout=10, now=0)
    event = session.receive(f'[4,"{call.unique_id}","NotSupported","nope",{{}}]', 1)
    assert isinstance(event, ErrorReceived)
    assert (event.call, event.error_code, event.description) == (call, "NotSupported", "nope")


def test_abandon_returns_every_pending_call() -> None:
    session = RpcSession(OcppVersion.V16)
    calls = [session.call("ClearCache", b"{}", timeout=10, now=0) for _ in range(3)]
    assert session.abandon() == calls
    assert session.pending() == []


def test_a_queued_call_waits_for_the_one_that_expired_in_the_queue_to_be_reported() -> None:
    session = RpcSession(OcppVersion.V16)
    session.call("Reset", b"{}", timeout=1, now=0)
    stale = session.call("ClearCache", b"{}", timeout=2, now=0)
    fresh = session.call("GetLocalListVersion", b"{}", timeout=30, now=0)
    session.data_to_send()
    assert session.pending()[1:] == [stale, fresh]
    assert session.next_deadline() == 1
    assert [t.call for t in session.expire(now=3)][1:] == [stale]
    assert session.in_flight is fresh
    assert [f[2] for f in sent(session)] == ["GetLocalListVersion"]


def test_an_idle_session_holds_no_lists() -> None:
    """Thousands of sessions sit idle: the outbox and the queue exist only while used."""
    session = RpcSession(OcppVersion.V16)
    call = session.call("Reset", b"{}", timeout=10, now=0)
    queued = session.call("ClearCache", b"{}", timeout=10, now=0)
    session.data_to_send()
    session.receive(f'[3,"{call.unique_id}",{{"status":"Accepted"}}]', 1)
    session.data_to_send()
    session.receive(f'[3,"{queued.unique_id}",{{"status":"Accepted"}}]', 2)
    session.receive('[2,"s1","Heartbeat",{}]', 3)
    session.reply("s1", b"{}")
    assert sent(session) == [[3, "s1", {}]]
    assert (session._outbox, session._queue, session.in_flight) == (None, None, None)
    assert session.data_to_send() == []
    assert session.pending() == []
    assert session.next_deadline() is None


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (
            '[2,"7","Heartbeat",[]]',
            [4, "7", "FormationViolation", "payload is not a JSON object", {}],
        ),
        ('[2,"7","Heartbeat"', [4, "7", "FormationViolation", "frame is not valid JSON", {}]),
        ('[2,"7",5,{}]', [4, "7", "ProtocolError", "action is not a string", {}]),
        ('[7,"7",{}]', [4, "7", "ProtocolError", "unknown message type 7", {}]),
        ('[2,"7","A",{},1]', [4, "7", "ProtocolError", "frame must have 4 elements, not 5", {}]),
    ],
)
def test_invalid_frames_get_the_ocpp16_error(frame: str, expected: list[object]) -> None:
    session = RpcSession(OcppVersion.V16)
    assert isinstance(session.receive(frame, 0), FrameRejected)
    assert sent(session) == [expected]


def test_ocpp201_spells_its_own_error_codes() -> None:
    session = RpcSession(OcppVersion.V201)
    session.receive('[2,"7","Heartbeat",[]]', 0)
    session.receive('[7,"8",{}]', 0)
    codes = [frame[2] for frame in sent(session)]
    assert codes == ["FormatViolation", "MessageTypeNotSupported"]


@pytest.mark.parametrize(
    "frame", ["not json", "{}", "[2]", '[2,12,"Heartbeat",{}]', f'[2,"{"x" * 37}","H",{{}}]']
)
def test_a_frame_whose_id_cannot_be_read_is_not_answered(frame: str) -> None:
    session = RpcSession(OcppVersion.V16)
    assert isinstance(session.receive(frame, 0), Unanswerable)
    assert session.data_to_send() == []

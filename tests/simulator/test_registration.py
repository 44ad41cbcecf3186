"""Connecting, BootNotification, StatusNotification and Heartbeat (OCPP 1.6 §4.2, §4.6, §4.9)."""

from __future__ import annotations

import asyncio
import base64

import pytest

from csms.simulator import BootRejected, ConnectFailed, ConnectionLost
from tests.simulator.conftest import StationFactory, registered
from tests.simulator.fake_csms import FakeCentralSystem, Json, now_text


async def test_boot_is_followed_by_a_status_for_connector_zero_and_each_connector(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station("CP-7", connectors=2))

    assert csms.connects == ["CP-7"]
    assert csms.actions() == ["BootNotification"] + ["StatusNotification"] * 3
    boot = csms.messages("BootNotification")[0]
    assert boot["chargePointVendor"] == "csms"
    assert boot["chargePointModel"] == "Simulator"
    statuses = csms.messages("StatusNotification")
    assert [(s["connectorId"], s["status"], s["errorCode"]) for s in statuses] == [
        (0, "Available", "NoError"),
        (1, "Available", "NoError"),
        (2, "Available", "NoError"),
    ]
    assert station.registration.accepted
    assert station.station_id == "CP-7"


async def test_pending_boot_is_retried_until_accepted(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    answers = iter(["Pending", "Pending", "Accepted"])

    def boot(_: Json) -> Json:
        return {"status": next(answers), "currentTime": now_text(), "interval": 60}

    csms.responders["BootNotification"] = boot
    station = make_station(boot_attempts=5)
    await station.connect()

    response = await station.boot()

    assert response.status == "Accepted"
    assert len(csms.messages("BootNotification")) == 3


async def test_rejected_boot_fails_after_the_configured_attempts(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    csms.responders["BootNotification"] = lambda _: {
        "status": "Rejected",
        "currentTime": now_text(),
        "interval": 1,
    }
    station = make_station(boot_attempts=2)
    await station.connect()

    with pytest.raises(BootRejected, match="Rejected"):
        await station.boot()

    assert len(csms.messages("BootNotification")) == 2
    assert not station.registration.accepted
    assert csms.messages("Heartbeat") == []


async def test_heartbeats_follow_the_interval_the_central_system_gave(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    csms.heartbeat_interval = 1
    station = await registered(make_station())

    assert station.configuration.value("HeartbeatInterval") == "1"
    await csms.wait_for("Heartbeat", count=1, within=3.0)


async def test_changing_heartbeat_interval_takes_effect(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    csms.heartbeat_interval = 3600
    await registered(make_station())

    reply = await csms.call(
        "CP-1", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "1"}
    )

    assert reply[2] == {"status": "Accepted"}
    await csms.wait_for("Heartbeat", count=1, within=3.0)


async def test_heartbeat_can_be_sent_on_demand(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())

    response = await station.heartbeat()

    assert response.current_time.tzinfo is not None
    assert csms.messages("Heartbeat") == [{}]


async def test_the_subprotocol_and_basic_auth_are_offered(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    csms.password = "s3cret"
    station = make_station("SECURE", password="s3cret")

    await station.connect()

    token = base64.b64encode(b"SECURE:s3cret").decode()
    assert csms.auth_headers == [f"Basic {token}"]


async def test_a_wrong_password_is_refused_with_401(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    csms.password = "s3cret"
    station = make_station("SECURE", password="wrong")

    with pytest.raises(ConnectFailed) as refused:
        await station.connect()

    assert refused.value.status == 401


async def test_connection_lost_is_reported_to_whoever_waits(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station())
    waiting = asyncio.ensure_future(station.wait_lost())

    csms.drop("CP-1")

    with pytest.raises(ConnectionLost, match="connection lost"):
        await asyncio.wait_for(waiting, 2.0)
    assert not station.connected

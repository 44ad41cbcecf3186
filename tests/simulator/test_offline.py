"""Transaction messages survive connection loss and arrive in order (OCPP 1.6 §3.4, §4.7)."""

from __future__ import annotations

from datetime import datetime

from tests.simulator.conftest import StationFactory, registered
from tests.simulator.fake_csms import FakeCentralSystem


def parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


async def test_a_stop_made_offline_is_delivered_after_reconnecting(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(meter_interval=0))
    transaction_id = await station.start_transaction(1)
    await station.disconnect()

    offline = await station.stop_transaction(1, reason="EVDisconnected")
    stopped_at = station.finished[-1]

    assert offline is None
    assert station.offline_queue == ["StopTransaction"]
    assert csms.messages("StopTransaction") == []
    reconnecting_at = station.clock()

    await station.connect()

    [stop] = await csms.wait_for("StopTransaction")
    assert (stop["transactionId"], stop["reason"]) == (transaction_id, "EVDisconnected")
    assert stop["meterStop"] == stopped_at.meter_stop
    assert parse(stop["timestamp"]) <= reconnecting_at  # made offline, not when sent
    await csms.until(lambda: station.offline_queue == [])
    assert csms.connects == ["CP-1", "CP-1"]


async def test_queued_messages_keep_their_order_and_original_timestamps(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(meter_interval=0))
    transaction_id = await station.start_transaction(1)
    await station.disconnect()
    await station.send_meter_values(1)
    await station.stop_transaction(1)
    made = station.finished[-1]
    reconnected_after = station.clock()

    await station.connect()

    await csms.wait_for("StopTransaction")
    sent = [r for r in csms.received if r.action in ("MeterValues", "StopTransaction")]
    assert [r.action for r in sent] == ["MeterValues", "StopTransaction"]
    sample, stop = sent[0].payload, sent[1].payload
    assert sample["transactionId"] == stop["transactionId"] == transaction_id
    assert (
        parse(sample["meterValue"][0]["timestamp"]) <= parse(stop["timestamp"]) <= reconnected_after
    )
    assert stop["meterStop"] == made.meter_stop


async def test_a_transaction_started_offline_gets_its_id_when_delivered(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(meter_interval=0))
    await station.disconnect()

    provisional = await station.start_transaction(2)
    await station.send_meter_values(2)
    await station.stop_transaction(2)

    assert provisional < 0
    assert station.offline_queue == ["StartTransaction", "MeterValues", "StopTransaction"]
    await station.connect()
    [stop] = await csms.wait_for("StopTransaction")
    [start] = csms.messages("StartTransaction")
    [sample] = csms.messages("MeterValues")
    assert start["connectorId"] == 2
    assert sample["transactionId"] == stop["transactionId"] == 11902
    assert station.finished[-1].transaction_id == 11902


async def test_statuses_changed_offline_are_sent_after_reconnecting(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(meter_interval=0))
    await station.disconnect()

    await station.send_status(2, "Faulted", "GroundFailure")
    await station.connect()

    await csms.until(lambda: csms.messages("StatusNotification")[-1]["status"] == "Faulted")
    last = csms.messages("StatusNotification")[-1]
    assert (last["connectorId"], last["errorCode"]) == (2, "GroundFailure")


async def test_meter_values_made_while_the_link_is_down_are_queued(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(meter_interval=0.02))
    await station.start_transaction(1)
    await station.disconnect()

    await station.wait_meter_values(1, 3)

    assert set(station.offline_queue) == {"MeterValues"}
    await station.connect()
    await station.stop_transaction(1)
    made = station.finished[-1].meter_values_sent

    await csms.wait_for("StopTransaction")
    assert len(csms.messages("MeterValues")) == made >= 3
    assert csms.actions().index("StopTransaction") > max(
        i for i, action in enumerate(csms.actions()) if action == "MeterValues"
    )

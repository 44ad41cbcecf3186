"""The driver's start and stop, and the live event stream, against a simulated station."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from csms.domain import IdTag
from csms.storage.memory import memory_stores
from tests.api.live_site import TAG, EventStream, Live, live_site


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    async with live_site(tmp_path, stores=memory_stores()) as site:
        for tag in ("someone", "a", "b"):
            await site.app.stores.id_tags.upsert(IdTag(tag))
        yield site


async def test_a_driver_starts_on_a_free_connector_with_a_limit_and_stops(live: Live) -> None:
    driver = await live.client("driver", owner="alice")
    await live.station.start_transaction(1, "someone")  # connector 1 is busy
    started = await driver.post(
        "/api/v1/driver/start", json={"station_id": "CP1", "max_current_a": 16}
    )
    assert started.status_code == 200, started.text
    body = started.json()
    assert (body["status"], body["connector_id"], body["id_tag"]) == ("Accepted", 2, TAG)
    transaction_id = body["transaction_id"]
    assert transaction_id is not None
    tx = live.station.transaction(2)
    assert tx is not None
    assert tx.charging_profile is not None
    assert tx.charging_profile.charging_profile_purpose == "TxProfile"
    assert tx.charging_profile.charging_schedule.charging_schedule_period[0].limit == 16.0

    await live.station.wait_meter_values(2, 2)
    stopped = await driver.post("/api/v1/driver/stop", json={"transaction_id": transaction_id})
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["stopped"] is True
    assert stopped.json()["energy_kwh"] > 0
    again = await driver.post("/api/v1/driver/stop", json={"transaction_id": transaction_id})
    assert (again.status_code, again.json()["error"]) == (409, "transaction_not_active")


async def test_a_driver_uses_only_their_own_tags_and_sessions(live: Live) -> None:
    await live.app.stores.id_tags.upsert(IdTag("BOBS", owner="bob"))
    driver = await live.client("driver", owner="alice")
    refused = await driver.post("/api/v1/driver/start", json={"station_id": "CP1", "id_tag": "BOBS"})
    assert refused.status_code == 403
    bobs = await live.station.start_transaction(1, "BOBS")
    assert bobs > 0
    stop = await driver.post("/api/v1/driver/stop", json={"transaction_id": bobs})
    assert stop.status_code == 403
    unknown = await driver.post("/api/v1/driver/stop", json={"transaction_id": 999})
    assert unknown.status_code == 404


async def test_an_operator_starts_for_any_tag_and_gets_409_when_nothing_is_free(live: Live) -> None:
    await live.station.start_transaction(1, "a")
    await live.station.start_transaction(2, "b")
    full = await live.operator.post("/api/v1/driver/start", json={"station_id": "CP1", "id_tag": TAG})
    assert (full.status_code, full.json()["error"]) == (409, "no_free_connector")
    both = {"station_id": "CP1", "id_tag": TAG, "max_current_a": 10, "max_power_w": 1000}
    assert (await live.operator.post("/api/v1/driver/start", json=both)).status_code == 422
    no_tag = await live.operator.post("/api/v1/driver/start", json={"station_id": "CP1"})
    assert no_tag.status_code == 422


async def test_the_event_stream_shows_the_session_live_filtered_by_station(live: Live) -> None:
    await live.connect("CP2")
    stream = await live.events("?station=CP1")
    await live.stations["CP2"].send_status(1, "Faulted")  # filtered out
    await live.station.send_status(1, "Preparing")
    status = await stream.first("status.changed")
    assert (status["station_id"], status["data"]["status"]) == ("CP1", "Preparing")

    started = await live.operator.post(
        "/api/v1/stations/CP1/commands/RemoteStartTransaction?wait_for_transaction=5",
        json={"connectorId": 1, "idTag": TAG},
    )
    transaction_id = started.json()["transaction_id"]
    answered = await stream.first("command.answered", action="RemoteStartTransaction")
    assert answered["data"]["response"] == {"status": "Accepted"}
    await stream.first("transaction.started", transaction_id=transaction_id)
    update = await stream.first("transaction.updated", transaction_id=transaction_id)
    measurands = {v["measurand"] for v in update["data"]["meter_values"]}
    assert "Energy.Active.Import.Register" in measurands
    await live.station.stop_transaction(1, "Local")
    stopped = await stream.first("transaction.stopped", transaction_id=transaction_id)
    assert stopped["data"]["energy_kwh"] > 0
    assert all(event["station_id"] == "CP1" for _, event in stream.seen)


async def test_the_event_stream_tells_of_connections_and_ends_at_shutdown(live: Live) -> None:
    stream = await live.events("?type=station.connected&type=station.disconnected")
    station = await live.connect("CP3")
    connected = await stream.first("station.connected")
    assert (connected["station_id"], connected["data"]["ocpp_version"]) == ("CP3", "ocpp1.6")
    await station.disconnect()
    assert (await stream.first("station.disconnected"))["station_id"] == "CP3"
    live.app.request_stop()
    with pytest.raises(EOFError):  # the stream ends; it does not hang the shutdown
        await drain(stream)


async def drain(stream: EventStream) -> None:
    while True:
        await stream.next(3)


async def test_events_need_an_operator_key(live: Live) -> None:
    driver = await live.client("driver", owner="alice")
    assert (await driver.get("/api/v1/events")).status_code == 403

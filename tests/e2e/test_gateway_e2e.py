"""The gateway over real sockets: handshake, bad frames, replacement, CSMS calls."""

from __future__ import annotations

import asyncio

import pytest
from picows import WSError

from csms.app import App
from csms.gateway import CommandTimeout, StationCallError, StationOffline
from csms.ocpp.messages import v16
from csms.testing import RawStationClient, api_client, issue_key, loopback_settings, running_app
from tests.e2e.conftest import ocpp_url

pytestmark = pytest.mark.e2e


async def refused_status(url: str, **kwargs: str | None) -> int:
    with pytest.raises(WSError) as refused:
        async with RawStationClient.connect(url, **kwargs):  # type: ignore[arg-type]
            pass
    response = getattr(refused.value, "response", None)
    assert response is not None, refused.value
    return int(response.status)


async def test_unknown_station_is_refused_with_404(app: App) -> None:
    assert await refused_status(ocpp_url(app, "NOPE")) == 404


async def test_missing_or_unsupported_subprotocol_is_refused(app: App) -> None:
    assert await refused_status(ocpp_url(app), subprotocol=None) == 400
    assert await refused_status(ocpp_url(app), subprotocol="ocpp1.5") == 400


async def test_station_with_a_password_needs_basic_auth(app: App) -> None:
    assert await refused_status(ocpp_url(app, "SECURE")) == 401
    assert await refused_status(ocpp_url(app, "SECURE"), password="wrong") == 401
    async with RawStationClient.connect(ocpp_url(app, "SECURE"), password="s3cret-passw0rd") as cp:
        assert (await cp.call("Heartbeat", {}))[0] == 3


async def test_auto_register_admits_unknown_stations(database_url: str) -> None:
    async with running_app(loopback_settings(database_url, auto_register=True)) as app:
        async with RawStationClient.connect(ocpp_url(app, "NEW-1")) as cp:
            assert (await cp.call("Heartbeat", {}))[0] == 3
        assert await app.services.stations.get("NEW-1") is not None


async def test_a_malformed_frame_gets_a_call_error_and_the_connection_stays_up(app: App) -> None:
    async with RawStationClient.connect(ocpp_url(app)) as cp:
        cp.send('[2,"bad1","Heartbeat"')
        assert await cp.receive() == [4, "bad1", "FormationViolation", "frame is not valid JSON", {}]
        cp.send("complete garbage")  # no id to answer: logged and dropped
        cp.send('[2,"bad2","Heartbeat",[]]')
        assert (await cp.receive() or [])[:3] == [4, "bad2", "FormationViolation"]
        unknown = await cp.call("MakeCoffee", {})
        assert unknown[2] == "NotImplemented"
        invalid = await cp.call("StatusNotification", {"connectorId": 1, "status": "Available"})
        assert invalid[2] == "OccurenceConstraintViolation"
        assert (await cp.call("Heartbeat", {}))[0] == 3


async def test_a_reconnecting_station_replaces_its_old_socket(app: App) -> None:
    async with RawStationClient.connect(ocpp_url(app)) as old:
        await old.call("Heartbeat", {})
        async with RawStationClient.connect(ocpp_url(app)) as new:
            assert await old.receive() is None  # the old socket was closed by csms
            assert old.close_codes == [1008]
            assert (await new.call("Heartbeat", {}))[0] == 3
            assert app.gateway.connected() == ["CP1"]
            connection = app.gateway.connection("CP1")
            assert connection is not None


async def test_csms_call_returns_the_stations_answer(app: App) -> None:
    async with RawStationClient.connect(ocpp_url(app)) as cp:
        await cp.call("Heartbeat", {})
        pending = asyncio.create_task(
            app.gateway.call("CP1", "Reset", v16.ResetRequest(type="Soft"), v16.ResetResponse)
        )
        request = await cp.receive()
        assert request is not None
        assert request[0] == 2
        assert request[2:] == ["Reset", {"type": "Soft"}]
        cp.send(f'[3,"{request[1]}",{{"status":"Accepted"}}]')
        assert await pending == v16.ResetResponse(status="Accepted")


async def test_csms_call_errors_timeouts_and_offline(app: App) -> None:
    with pytest.raises(StationOffline):
        await app.gateway.call("CP1", "ClearCache", v16.ClearCacheRequest(), v16.ClearCacheResponse)
    async with RawStationClient.connect(ocpp_url(app)) as cp:
        await cp.call("Heartbeat", {})
        failing = asyncio.create_task(
            app.gateway.call("CP1", "ClearCache", v16.ClearCacheRequest(), v16.ClearCacheResponse)
        )
        request = await cp.receive()
        assert request is not None
        cp.send(f'[4,"{request[1]}","NotSupported","no cache here",{{}}]')
        with pytest.raises(StationCallError) as error:
            await failing
        assert (error.value.code, error.value.description) == ("NotSupported", "no cache here")

        slow = asyncio.create_task(app.gateway.call(
            "CP1", "ClearCache", v16.ClearCacheRequest(), v16.ClearCacheResponse, timeout=0.2))
        queued = asyncio.create_task(app.gateway.call(
            "CP1", "GetLocalListVersion", v16.GetLocalListVersionRequest(),
            v16.GetLocalListVersionResponse, timeout=5))
        first = await cp.receive()
        assert first is not None
        with pytest.raises(CommandTimeout):
            await slow
        second = await cp.receive()  # sent only after the first timed out
        assert second is not None
        assert second[2] == "GetLocalListVersion"
        cp.send(f'[3,"{first[1]}",{{"status":"Accepted"}}]')  # late: dropped
        cp.send(f'[3,"{second[1]}",{{"listVersion":4}}]')
        assert await queued == v16.GetLocalListVersionResponse(list_version=4)

        cut = asyncio.create_task(app.gateway.call(
            "CP1", "ClearCache", v16.ClearCacheRequest(), v16.ClearCacheResponse, timeout=5))
        assert await cp.receive() is not None
    with pytest.raises(StationOffline):
        await cut  # the station disconnected mid-call: failed at once


async def test_every_frame_is_in_the_message_log(app: App) -> None:
    async with RawStationClient.connect(ocpp_url(app)) as cp:
        await cp.call("Heartbeat", {})
    await app.services.write_behind.flush()
    messages = await app.services.message_log.recent("CP1")
    assert [(m.direction.value, m.action) for m in reversed(messages)] == [
        ("in", "Heartbeat"), ("out", "Heartbeat")]


async def test_a_peer_that_stops_answering_pings_is_disconnected(database_url: str) -> None:
    settings = loopback_settings(database_url, ping_interval=0.2, ping_timeout=0.2)
    async with running_app(settings) as app:
        await app.services.stations.add("CP1")
        async with RawStationClient.connect(ocpp_url(app), auto_pong=False) as cp:
            await cp.call("Heartbeat", {})
            assert app.gateway.connected() == ["CP1"]
            assert await cp.receive(timeout=3) is None  # csms gave up on the silent peer
        assert app.gateway.connected() == []


async def test_deleting_a_connected_station_closes_its_socket(app: App) -> None:
    async with RawStationClient.connect(ocpp_url(app)) as cp:
        await cp.call("Heartbeat", {})
        async with api_client(app, await issue_key(app, "operator")) as http:
            assert (await http.delete("/api/v1/stations/CP1")).status_code == 204
        assert await cp.receive() is None
        assert cp.close_codes == [1008]
    assert await refused_status(ocpp_url(app)) == 404

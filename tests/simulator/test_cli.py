"""``csms simulate``: the options, the event lines, the summary and the exit status."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner, Result

from csms.simulator import simulate_command
from csms.simulator.cli import station_urls
from tests.simulator.fake_csms import FakeCentralSystem, Json, now_text


async def simulate(*args: str) -> Result:
    """Run the command in a worker thread: it runs its own event loop."""
    return await asyncio.to_thread(CliRunner().invoke, simulate_command, list(args))


def test_the_command_has_exactly_the_agreed_options() -> None:
    options = {option for param in simulate_command.params for option in param.opts}

    assert options == {
        "--url",
        "--version",
        "--connectors",
        "--id-tag",
        "--meter-interval",
        "--scenario",
        "--password",
        "--meter-samples",
        "--count",
    }


def test_count_derives_station_ids_from_the_url() -> None:
    assert station_urls("ws://h:1/ocpp/CP", 1) == ["ws://h:1/ocpp/CP"]
    assert station_urls("ws://h:1/ocpp/CP", 2) == ["ws://h:1/ocpp/CP-1", "ws://h:1/ocpp/CP-2"]


async def test_charge_prints_what_it_does_and_a_summary(csms: FakeCentralSystem) -> None:
    result = await simulate(
        "--url",
        csms.url("CP-9"),
        "--meter-interval",
        "0.05",
        "--meter-samples",
        "2",
        "--id-tag",
        "remote-11902",
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("BootNotification → Accepted" in line for line in lines)
    assert sum("MeterValues connector 1" in line for line in lines) == 2
    assert "transaction 11902 done" in lines[-1]
    assert "Wh delivered" in lines[-1]
    assert csms.messages("Authorize") == [{"idTag": "remote-11902"}]
    assert len(csms.messages("StopTransaction")) == 1


async def test_count_runs_several_stations(csms: FakeCentralSystem) -> None:
    result = await simulate(
        "--url",
        csms.url("SIM"),
        "--count",
        "3",
        "--meter-interval",
        "0.05",
        "--meter-samples",
        "1",
        "--connectors",
        "1",
    )

    assert result.exit_code == 0, result.output
    assert sorted(csms.connects) == ["SIM-1", "SIM-2", "SIM-3"]
    assert len(csms.messages("StopTransaction")) == 3
    assert "[SIM-2]" in result.output


async def test_a_rejected_boot_exits_non_zero(csms: FakeCentralSystem) -> None:
    csms.responders["BootNotification"] = lambda _: {
        "status": "Rejected",
        "currentTime": now_text(),
        "interval": 1,
    }

    result = await simulate("--url", csms.url("CP-1"), "--scenario", "boot")

    assert result.exit_code == 1
    assert "not accepted: Rejected" in result.output


async def test_a_rejected_id_tag_exits_non_zero(csms: FakeCentralSystem) -> None:
    csms.responders["Authorize"] = lambda _: {"idTagInfo": {"status": "Blocked"}}

    result = await simulate("--url", csms.url("CP-1"), "--meter-interval", "0.05")

    assert result.exit_code == 1
    assert "Blocked" in result.output


async def test_a_lost_connection_exits_non_zero(csms: FakeCentralSystem) -> None:
    def drop_after_boot(_: Json) -> Json:
        asyncio.get_running_loop().call_later(0.05, csms.drop, "CP-1")
        return {"status": "Accepted", "currentTime": now_text(), "interval": 60}

    csms.responders["BootNotification"] = drop_after_boot

    result = await simulate("--url", csms.url("CP-1"), "--scenario", "idle")

    assert result.exit_code == 1
    assert "connection lost" in result.output


async def test_a_refused_connection_exits_non_zero() -> None:
    result = await simulate("--url", "ws://127.0.0.1:9/ocpp/CP-1")

    assert result.exit_code == 1
    assert "FAILED" in result.output

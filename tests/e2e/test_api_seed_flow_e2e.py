"""The seed flow (shared/seeds/000) through the REST API, as a user runs it: ``csms
serve`` and ``csms simulate --scenario idle`` as processes, an API key from ``csms
apikeys create``, then over HTTP: remote start with a TxProfile -> the transaction id ->
meter values live on the event stream -> remote stop -> the transaction closed with kWh."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from csms.cli import main
from tests.e2e.test_cli_e2e import CSMS, free_port, wait_for_port

pytestmark = pytest.mark.e2e

STATION, TAG = "CP-SEED", "remote-11902"
REMOTE_START = {  # as the seed sends it, with the limit in its one schedule period
    "connectorId": 1,
    "idTag": TAG,
    "chargingProfile": {
        "chargingProfileId": 1,
        "stackLevel": 1,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
        },
    },
}


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    kind, data = "message", ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif not line and data:
            yield kind, json.loads(data)
            kind, data = "message", ""


async def seed_flow(api: str, key: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=api, headers=headers, timeout=30) as http:
        async def online() -> bool:
            station = (await http.get(f"/api/v1/stations/{STATION}")).json()
            return bool(station.get("online"))

        async with asyncio.timeout(20):
            while not await online():  # noqa: ASYNC110 - the simulator process boots
                await asyncio.sleep(0.1)
        async with http.stream("GET", f"/api/v1/events?station={STATION}") as stream:
            events = sse_events(stream)
            started = await http.post(
                f"/api/v1/stations/{STATION}/commands/RemoteStartTransaction",
                params={"wait_for_transaction": 20},
                json=REMOTE_START,
            )
            assert started.status_code == 200, started.text
            answer = started.json()
            assert answer["status"] == "Accepted"
            transaction_id = answer["transaction_id"]
            assert isinstance(transaction_id, int)

            live_values: list[dict[str, Any]] = []
            async with asyncio.timeout(20):
                async for kind, event in events:
                    data = event["data"]
                    if kind == "transaction.updated" and data["transaction_id"] == transaction_id:
                        live_values.extend(data["meter_values"])
                        if len({v["timestamp"] for v in live_values}) >= 2:
                            break
            assert {"Voltage", "Current.Import", "Energy.Active.Import.Register"} <= {
                v["measurand"] for v in live_values
            }
            offered = {v["value"] for v in live_values if v["measurand"] == "Current.Offered"}
            assert offered == {"16"}  # the TxProfile's limit, not the station's 32 A

            stopped = await http.post(
                f"/api/v1/stations/{STATION}/commands/RemoteStopTransaction",
                params={"wait_for_stop": 20},
                json={"transactionId": transaction_id},
            )
            assert stopped.status_code == 200, stopped.text
            assert (stopped.json()["status"], stopped.json()["stopped"]) == ("Accepted", True)
            async with asyncio.timeout(20):
                async for kind, event in events:
                    if kind == "transaction.stopped":
                        assert event["data"]["transaction_id"] == transaction_id
                        break
        transaction: dict[str, Any] = (await http.get(f"/api/v1/transactions/{transaction_id}")).json()
        transaction["remote_stop"] = stopped.json()
        return transaction


def test_the_seed_flow_through_the_api_against_csms_serve(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"
    env = {**os.environ, "CSMS_DATABASE_URL": url, "CSMS_CONFIG": str(tmp_path / "none.toml")}
    setup = CliRunner(env={"CSMS_DATABASE_URL": url, "CSMS_CONFIG": env["CSMS_CONFIG"]})
    for command in (["db", "upgrade"], ["stations", "add", STATION], ["tags", "add", TAG]):
        assert setup.invoke(main, command).exit_code == 0
    created = setup.invoke(main, ["apikeys", "create", "--role", "operator"])
    key = created.stdout.strip()
    ocpp_port, http_port = free_port(), free_port()
    server = subprocess.Popen(
        [*CSMS, "serve", "--host", "127.0.0.1", "--ocpp-port", str(ocpp_port),
         "--http-port", str(http_port)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    simulator: subprocess.Popen[str] | None = None
    try:
        wait_for_port(http_port, server)
        simulator = subprocess.Popen(
            [*CSMS, "simulate", "--url", f"ws://127.0.0.1:{ocpp_port}/ocpp/{STATION}",
             "--scenario", "idle", "--meter-interval", "0.3"],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        transaction = asyncio.run(seed_flow(f"http://127.0.0.1:{http_port}", key))
    finally:
        if simulator is not None:
            simulator.send_signal(signal.SIGINT)
            simulator.communicate(timeout=20)
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert transaction["state"] == "Stopped"
    assert transaction["stop_reason"] == "Remote"
    assert transaction["energy_kwh"] is not None
    assert transaction["energy_kwh"] == transaction["remote_stop"]["energy_kwh"]
    assert transaction["id_tag"] == TAG

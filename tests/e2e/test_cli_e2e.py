"""What a user does, as processes: ``csms stations/tags add``, ``csms serve`` and
``csms simulate --scenario charge``, then the database holds the whole session."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csms.domain import TransactionState
from csms.storage import TransactionFilter
from csms.storage.sql import create_engine, sql_stores

pytestmark = pytest.mark.e2e
CSMS = [sys.executable, "-m", "csms"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[str], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"csms serve exited early:\n{process.communicate()[1]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def test_serve_and_simulate_a_full_session_into_the_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"
    env = {**os.environ, "CSMS_DATABASE_URL": url, "CSMS_CONFIG": str(tmp_path / "none.toml")}
    run = {"env": env, "cwd": tmp_path, "capture_output": True, "text": True, "timeout": 60}
    subprocess.run([*CSMS, "db", "upgrade"], check=True, **run)  # type: ignore[call-overload]
    subprocess.run([*CSMS, "stations", "add", "CP-E2E", "--password", "pw-123456"], check=True, **run)  # type: ignore[call-overload]
    subprocess.run([*CSMS, "tags", "add", "remote-11902"], check=True, **run)  # type: ignore[call-overload]
    ocpp_port, http_port = free_port(), free_port()
    server = subprocess.Popen(
        [*CSMS, "serve", "--host", "127.0.0.1", "--ocpp-port", str(ocpp_port),
         "--http-port", str(http_port)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for_port(ocpp_port, server)
        simulated = subprocess.run(
            [*CSMS, "simulate", "--url", f"ws://127.0.0.1:{ocpp_port}/ocpp/CP-E2E",
             "--password", "pw-123456", "--scenario", "charge", "--id-tag", "remote-11902",
             "--meter-interval", "0.2", "--meter-samples", "3"],
            **run,  # type: ignore[call-overload]
        )
        assert simulated.returncode == 0, simulated.stdout + simulated.stderr
        assert "Wh delivered" in simulated.stdout
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert "csms.stopped" in err

    async def stored() -> None:
        engine = create_engine(url)
        try:
            stores = sql_stores(engine)
            [transaction] = await stores.transactions.search(TransactionFilter(station_id="CP-E2E"))
            assert transaction.state is TransactionState.STOPPED
            assert transaction.id_tag == "remote-11902"
            assert transaction.energy_wh is not None
            samples = await stores.meter_values.for_transaction(transaction.id)
            measurands = {s.measurand for s in samples}
            assert measurands >= {"Voltage", "Current.Import", "Power.Active.Import",
                                  "Current.Offered", "Energy.Active.Import.Register"}
            station = await stores.stations.get("CP-E2E")
            assert station is not None
            assert station.vendor == "csms"
            assert len(await stores.messages.recent("CP-E2E", limit=1000)) >= 2 * 8
        finally:
            await engine.dispose()

    asyncio.run(stored())

"""The benchmark still works: ``python -m bench steady --quick`` against 20 stations.

Runs the real thing (servers as processes, load generator processes) for about a second
per server, then checks that every server answered and that csms lost nothing.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_quick_steady_run_measures_every_server_and_csms_loses_nothing(tmp_path: Path) -> None:
    servers = ["echo", "csms"]
    if importlib.util.find_spec("websockets") is not None:  # the baseline needs '.[bench]'
        servers.insert(1, "baseline")
    command = [
        sys.executable, "-m", "bench", "steady", "--quick", "--stations", "20",
        "--duration", "1", "--warmup", "0.3", "--servers", ",".join(servers),
        "--out", str(tmp_path), "--no-docs",
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert sorted(r["server"] for r in rows) == sorted(servers)
    for row in rows:
        assert row["setup_errors"] == 0, row
        assert row["msgs_per_s"] > 0, row
        assert row["unanswered"] == 0, row
        assert row["call_errors"] == 0, row
    csms = next(r for r in rows if r["server"] == "csms")
    assert csms["samples_lost"] == 0
    acked = csms["meter_values_acked"] + csms["setup_meter_values"]
    assert csms["db_meter_values"] == 4 * acked > 0

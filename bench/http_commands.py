"""Scenario 4 against csms through its REST API: ``POST /api/v1/stations/{id}/commands/
RemoteStartTransaction`` and ``.../RemoteStopTransaction``, timed from the HTTP request to
its response (which csms sends once the station answered), from a process of its own on
the load generator's cores.

The orchestrator starts it once the stations are set up, with ``BENCH_COMMANDS`` (JSON:
``rate``, ``duration``, ``out``, ``api`` base URL, ``key``, ``start_at`` wall-clock time)
and it writes the same results file as the in-process drivers of the baseline and echo
servers (:mod:`bench.servers.commands`). Remote starts use a tag of their own
(:data:`COMMAND_TAG`, accepted and never charging, so csms's pre-checks pass); remote
stops name the station's real transaction, listed through ``GET /api/v1/transactions``.

    BENCH_COMMANDS='{...}' python -m bench.http_commands
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import uvloop

from bench.servers.commands import CommandPlan, drive

COMMAND_TAG = "BENCHREMOTE"
API_KEY = "csms_bench-operator-key-for-scenario-4-only"  # seeded by bench.database


async def active_transactions(http: httpx.AsyncClient) -> dict[str, int]:
    """Each station's active transaction, page by page."""
    found: dict[str, int] = {}
    offset: int | None = 0
    while offset is not None:
        response = await http.get(
            "/api/v1/transactions", params={"state": "Active", "limit": 500, "offset": offset}
        )
        response.raise_for_status()
        page: dict[str, Any] = response.json()
        for item in page["items"]:
            found.setdefault(item["station_id"], item["id"])
        offset = page["next_offset"]
    return found


async def run(config: dict[str, Any]) -> None:
    plan = CommandPlan(float(config["rate"]), float(config["duration"]), Path(config["out"]))
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(
        base_url=config["api"],
        headers={"Authorization": f"Bearer {config['key']}"},
        limits=limits,
        timeout=plan.timeout,
    ) as http:
        transactions = await active_transactions(http)

        async def send(station_id: str, action: str, _n: int) -> None:
            if action == "RemoteStartTransaction":
                body: dict[str, Any] = {"connectorId": 1, "idTag": COMMAND_TAG}
            else:
                body = {"transactionId": transactions[station_id]}
            response = await http.post(f"/api/v1/stations/{station_id}/commands/{action}", json=body)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")

        await asyncio.sleep(max(0.0, float(config["start_at"]) - time.time()))
        await drive(plan, lambda: sorted(transactions), send)


def main() -> None:
    uvloop.run(run(json.loads(os.environ["BENCH_COMMANDS"])))


if __name__ == "__main__":
    main()

"""Scenario 4 against csms through its REST API: ``POST /api/v1/stations/{id}/commands/
RemoteStartTransaction`` and ``.../RemoteStopTransaction``, timed from the HTTP request to
its response (which csms sends once the station answered), from a process of its own on
the load generator's cores.

The orchestrator starts it once the stations are set up, with ``BENCH_COMMANDS`` (JSON:
``rate``, ``duration``, ``out``, ``api`` base URL, ``key``); it lists the transactions,
creates ``<out>.ready`` and waits for SIGUSR1, which comes when the load is measured (so
listing, which is slow under load, never eats into the window). One untimed start and
stop come first, as the other scenarios' warm-up: FastAPI builds a route's models when
the route is first used. It writes the same
results file as the in-process drivers of the baseline and echo
servers (:mod:`bench.servers.commands`). Remote starts use a tag of their own
(:data:`COMMAND_TAG`, accepted and never charging, so csms's pre-checks pass); remote
stops name the station's real transaction, listed through ``GET /api/v1/transactions``.

    BENCH_COMMANDS='{...}' python -m bench.http_commands
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import uvloop

from bench.servers.commands import CommandPlan, drive_on_signal

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

        if transactions:  # warm-up, untimed: FastAPI builds a route's models on first use
            first = min(transactions)
            await send(first, "RemoteStartTransaction", 0)
            await send(first, "RemoteStopTransaction", 0)
        ready = ready_path(plan.out)
        await drive_on_signal(plan, lambda: sorted(transactions), send, ready.touch)


def ready_path(out: Path) -> Path:
    """Created once the driver has listed the transactions and waits for SIGUSR1."""
    return out.with_suffix(".ready")


def main() -> None:
    uvloop.run(run(json.loads(os.environ["BENCH_COMMANDS"])))


if __name__ == "__main__":
    main()

"""Scenario 4's driver: CSMS-initiated RemoteStartTransaction / RemoteStopTransaction
against stations that are under load.

csms is driven from outside, through its REST API (:mod:`bench.http_commands`). The
baseline and echo servers have no API, so they run the driver inside their own process:
the orchestrator starts them with ``BENCH_COMMANDS`` (JSON: ``rate`` commands/s,
``duration`` s, ``out`` path) and sends SIGUSR1 once the load runs
(:func:`drive_on_signal`). Either way the driver issues commands at that rate to random
stations (start and stop alternate), each as its own task, times each from the call to
the station's answer, and writes ``{"latencies": [...], "errors": n, "first_error": ...}``
to ``out``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

Send = Callable[[str, str, int], Awaitable[None]]
"""``send(station_id, action, n)``: one command, returns once the station answered."""


@dataclass(frozen=True)
class CommandPlan:
    rate: float
    duration: float
    out: Path
    timeout: float = 30.0

    @classmethod
    def from_env(cls) -> CommandPlan | None:
        raw = os.environ.get("BENCH_COMMANDS")
        if not raw:
            return None
        values = json.loads(raw)
        return cls(float(values["rate"]), float(values["duration"]), Path(values["out"]))


async def drive_on_signal(
    plan: CommandPlan,
    stations: Callable[[], list[str]],
    send: Send,
    ready: Callable[[], None] = lambda: None,
) -> None:
    """Wait for SIGUSR1 (``ready`` is called once it is handled), then :func:`drive`."""
    go = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, go.set)
    ready()
    await go.wait()
    await drive(plan, stations, send)


async def drive(plan: CommandPlan, stations: Callable[[], list[str]], send: Send) -> None:
    """Run the plan now and write its results."""
    loop = asyncio.get_running_loop()
    ids = stations()
    latencies: list[float] = []
    errors: list[str] = []

    async def one(n: int) -> None:
        action = "RemoteStartTransaction" if n % 2 == 0 else "RemoteStopTransaction"
        began = time.perf_counter()
        try:
            await asyncio.wait_for(send(random.choice(ids), action, n // 2 + 1), plan.timeout)
        except Exception as error:
            errors.append(f"{action}: {error!r}")
            return
        latencies.append(time.perf_counter() - began)

    tasks: list[asyncio.Task[None]] = []
    count = int(plan.rate * plan.duration) if ids else 0
    started = time.monotonic()
    for n in range(count):
        await asyncio.sleep(max(0.0, started + n / plan.rate - time.monotonic()))
        tasks.append(loop.create_task(one(n)))
    await asyncio.gather(*tasks)
    result = {
        "stations": len(ids),
        "commands": count,
        "latencies": latencies,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }
    plan.out.write_text(json.dumps(result))

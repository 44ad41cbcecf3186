"""Worker processes of the load generator, seen from the orchestrator."""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import time
from array import array
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bench.loadgen import WorkerSpec, worker_main

STATIONS_PER_PROCESS = 8000  # well under the 20 000 open files a process may have
SOURCE_IPS = [f"127.0.0.{i}" for i in range(2, 10)]  # spread the 4-tuples over 8 addresses
_context = multiprocessing.get_context("fork")


@dataclass
class Workers:
    """A set of load generator processes that together own some stations."""

    processes: list[BaseProcess] = field(default_factory=list)
    pipes: list[Connection] = field(default_factory=list)
    setups: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def spawn(cls, template: WorkerSpec, processes: int) -> Workers:
        ids = template.station_ids
        count = max(processes, math.ceil(len(ids) / STATIONS_PER_PROCESS), 1)
        workers = cls()
        for index in range(count):
            spec = replace(template, name=f"{template.name}-{index}", station_ids=ids[index::count])
            if template.rate:
                spec.rate = template.rate * len(spec.station_ids) / max(len(ids), 1)
            parent, child = _context.Pipe()
            process = _context.Process(target=worker_main, args=(spec, child), daemon=True)
            process.start()
            child.close()
            workers.processes.append(process)
            workers.pipes.append(parent)
        return workers

    def wait_ready(self, timeout: float) -> list[dict[str, Any]]:
        self.setups = [self._receive(pipe, timeout)["ready"] for pipe in self.pipes]
        return self.setups

    def start_load(self, t0: float, t1: float, drain: float = 30.0) -> None:
        """Every station sends from now on; answers in [t0, t1] are measured."""
        for pipe in self.pipes:
            pipe.send({"cmd": "load", "t0": t0, "t1": t1, "drain": drain})

    def collect(self, t1: float, drain: float = 30.0) -> tuple[list[dict[str, Any]], list[float]]:
        """The load reports and every latency measured (seconds), once the load is over."""
        reports: list[dict[str, Any]] = []
        latencies: array[float] = array("d")
        for pipe in self.pipes:
            message = self._receive(pipe, max(0.0, t1 - time.monotonic()) + drain + 60)
            reports.append(message["load"])
            latencies.frombytes(message["latencies"])
        return reports, latencies.tolist()

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send({"cmd": "close"})
            except (BrokenPipeError, OSError):
                continue
        for pipe in self.pipes:
            with contextlib.suppress(RuntimeError, EOFError, OSError):
                self._receive(pipe, 30)
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()

    def _receive(self, pipe: Connection, timeout: float) -> dict[str, Any]:
        if not pipe.poll(timeout):
            raise RuntimeError(f"a load generator process did not answer within {timeout:.0f} s")
        message: dict[str, Any] = pipe.recv()
        return message


def total(reports: list[dict[str, Any]], key: str) -> float:
    return sum(float(r.get(key) or 0) for r in reports)


def merged(reports: list[dict[str, Any]], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for report in reports:
        for name, value in (report.get(key) or {}).items():
            out[name] = out.get(name, 0) + int(value)
    return out


def percentile(values: array[float] | list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in [0, 1]); NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]

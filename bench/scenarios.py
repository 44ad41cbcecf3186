"""The five scenarios, one run each: start the server, bring the stations up, measure,
stop, check in the database that nothing acknowledged is missing.

Every function returns one flat dict of figures (``server``, ``scenario``, ``variant``
and numbers) that :mod:`bench.report` takes medians of.
"""

from __future__ import annotations

import json
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import database
from bench.loadgen import SAMPLES_PER_METER_VALUES, WorkerSpec
from bench.procs import Placement, ServerProcess, start_http_commands, start_server
from bench.runner import SOURCE_IPS, Workers, merged, percentile, total

STEADY_CYCLE = ("MeterValues", "Heartbeat")
INGEST_CYCLE = ("MeterValues",)
STATUS_CONNECTORS = (0, 1, 2)  # connector 0 (the station) and two connectors
STORM_TIMEOUT = 30.0  # boot storm: a handshake or CALL slower than this counts as an error


@dataclass
class Context:
    """What every run shares: where to write, where to run, how many client processes."""

    out: Path
    placement: Placement
    client_processes: int = 1
    template_stations: int = 15_000

    def run_dir(self, name: str) -> Path:
        path = self.out / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def database(self, kind: str, backend: str, run_dir: Path) -> str | None:
        if kind != "csms":
            return None
        if backend == "postgresql":
            return database.fresh_postgres(self.template_stations)
        template = database.sqlite_template(self.out / "templates", self.template_stations)
        return database.fresh_sqlite(template, run_dir)


def _spec(ctx: Context, server: ServerProcess, ids: list[str], **kw: Any) -> WorkerSpec:
    return WorkerSpec(
        name=server.kind, url=server.url, station_ids=ids, source_ips=SOURCE_IPS,
        cpus=ctx.placement.client_cpus, **kw,
    )


def _setup_errors(setups: list[dict[str, Any]]) -> tuple[int, str]:
    errors = int(total(setups, "connect_errors") + total(setups, "call_errors"))
    first = next((s["first_error"] for s in setups if s.get("first_error")), "")
    return errors, first


def _stop(server: ServerProcess, url: str | None) -> dict[str, Any]:
    code = server.stop()
    out: dict[str, Any] = {"server_exit": code}
    if url is not None:
        out.update({f"db_{k}": v for k, v in database.count_rows(url).items()})
    return out


# -- steady, ingest and command: stations sending CALLs ----------------------------------
def load_run(
    ctx: Context,
    kind: str,
    stations: int,
    *,
    scenario: str,
    variant: str,
    cycle: tuple[str, ...] = STEADY_CYCLE,
    duration: float = 8.0,
    warmup: float = 3.0,
    rate: float = 0.0,
    backend: str = "sqlite",
    commands: dict[str, Any] | None = None,
) -> dict[str, Any]:
    run_dir = ctx.run_dir(f"{scenario}-{variant}-{kind}-{time.strftime('%H%M%S')}")
    url = ctx.database(kind, backend, run_dir)
    if commands is not None:
        commands = {**commands, "out": str(run_dir / "commands.json")}
    server = start_server(kind, run_dir, ctx.placement, database_url=url, commands=commands)
    ids = database.station_ids(stations)
    workers = Workers.spawn(
        _spec(ctx, server, ids, start_transaction=True, cycle=cycle, rate=rate),
        ctx.client_processes,
    )
    row: dict[str, Any] = {"scenario": scenario, "variant": variant, "server": kind,
                           "stations": stations, "backend": backend if kind == "csms" else ""}
    try:
        _measure_load(server, workers, row, warmup, duration, commands, run_dir)
    except BaseException:
        server.stop(10)
        raise
    finally:
        workers.close()
    row.update(_stop(server, url))
    if url is not None:
        row.update(_loss(row))
    return row


def _measure_load(
    server: ServerProcess,
    workers: Workers,
    row: dict[str, Any],
    warmup: float,
    duration: float,
    commands: dict[str, Any] | None,
    run_dir: Path,
) -> None:
    setups = workers.wait_ready(300)
    row["setup_errors"], row["first_error"] = _setup_errors(setups)
    row["setup_meter_values"] = int(total(setups, "meter_values_answered"))
    driver = None
    if commands is not None and server.http_port is not None:  # csms: through its REST API
        driver = start_http_commands(server, commands)
    t0 = time.monotonic() + 0.3 + warmup
    t1 = t0 + duration
    workers.start_load(t0, t1)
    time.sleep(max(0.0, t0 - time.monotonic()))
    if driver is not None:
        driver.send_signal(signal.SIGUSR1)
    elif commands is not None:  # the in-process driver of baseline / echo
        server.signal(signal.SIGUSR1)
    cpu0 = server.cpu_seconds()
    time.sleep(max(0.0, t1 - time.monotonic()))
    cpu1 = server.cpu_seconds()
    row["server_rss_mib"] = server.rss_kib() / 1024
    reports, latencies = workers.collect(t1)
    if commands is not None:
        row.update(_command_results(run_dir / "commands.json", duration + 40))
    if driver is not None:
        driver.wait(10)
    row.update(_load_figures(reports, latencies, duration, cpu1 - cpu0))


def _load_figures(
    reports: list[dict[str, Any]], latencies: list[float], duration: float, server_cpu: float
) -> dict[str, Any]:
    results = merged(reports, "results_by_action")
    return {
        "msgs_per_s": total(reports, "window_answered") / duration,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "server_cpu_pct": 100 * server_cpu / duration,
        # robust when other work shares the server's core: answers per CPU-second used
        "msgs_per_cpu_s": total(reports, "window_answered") / server_cpu if server_cpu else 0.0,
        "client_cpu_pct": 100 * total(reports, "cpu_seconds") / duration,
        "client_processes": len(reports),
        "sent": int(total(reports, "sent")),
        "answered": int(total(reports, "answered")),
        "call_errors": int(total(reports, "call_errors")),
        "unanswered": int(total(reports, "unanswered")),
        "disconnects": int(total(reports, "disconnects")),
        "meter_values_acked": results.get("MeterValues", 0),
        "samples_acked_per_s": 0.0,  # filled below from the window's MeterValues
        "load_error": next((r["first_error"] for r in reports if r.get("first_error")), ""),
    } | _samples_rate(reports, duration)


def _samples_rate(reports: list[dict[str, Any]], duration: float) -> dict[str, float]:
    sent = merged(reports, "sent_by_action")
    share = sent.get("MeterValues", 0) / max(sum(sent.values()), 1)
    window = total(reports, "window_answered")
    return {"samples_acked_per_s": SAMPLES_PER_METER_VALUES * window * share / duration}


def _loss(row: dict[str, Any]) -> dict[str, Any]:
    """Acknowledged samples that are not in the database (must be 0)."""
    acked = int(row["meter_values_acked"]) + int(row.get("setup_meter_values", 0))
    expected = SAMPLES_PER_METER_VALUES * acked
    stored = int(row.get("db_meter_values", 0))
    return {"samples_expected": expected, "samples_lost": max(0, expected - stored)}


def _command_results(path: Path, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if not path.exists():
        return {"cmd_errors": -1, "cmd_first_error": "no command results"}
    data = json.loads(path.read_text())
    latencies = data["latencies"]
    return {
        "cmd_count": data["commands"],
        "cmd_p50_ms": percentile(latencies, 0.50) * 1000,
        "cmd_p99_ms": percentile(latencies, 0.99) * 1000,
        "cmd_errors": data["errors"],
        "cmd_first_error": data["first_error"],
    }


# -- idle: connected, booted, silent -------------------------------------------------------
def idle_run(
    ctx: Context, kind: str, levels: tuple[int, ...], settle: float = 2.0
) -> list[dict[str, Any]]:
    """One server, stations added level by level; server RSS per connected station."""
    run_dir = ctx.run_dir(f"idle-{kind}-{time.strftime('%H%M%S')}")
    url = ctx.database(kind, "sqlite", run_dir)
    server = start_server(kind, run_dir, ctx.placement, database_url=url)
    rows: list[dict[str, Any]] = []
    groups: list[Workers] = []
    try:
        time.sleep(settle / 2)
        rss0 = server.rss_kib()
        ids = database.station_ids(max(levels))
        done = 0
        for level in levels:
            workers = Workers.spawn(
                _spec(ctx, server, ids[done:level]), ctx.client_processes
            )
            groups.append(workers)
            errors, first = _setup_errors(workers.wait_ready(300))
            done = level
            time.sleep(settle)
            rss = server.rss_kib()
            rows.append({
                "scenario": "idle", "variant": str(level), "server": kind, "stations": level,
                "server_rss_base_mib": rss0 / 1024, "server_rss_mib": rss / 1024,
                "kib_per_station": (rss - rss0) / level,
                "setup_errors": sum(int(r["setup_errors"]) for r in rows) + errors,
                "first_error": first,
                "connected": sum(int(total(g.setups, "ready")) for g in groups),
            })
    except BaseException:
        server.stop(10)
        raise
    finally:
        for workers in groups:
            workers.close()
    stopped = _stop(server, url)
    for row in rows:
        row.update(stopped)
    return rows


# -- boot storm ----------------------------------------------------------------------------
def boot_storm_run(ctx: Context, kind: str, stations: int, delay: float = 3.0) -> dict[str, Any]:
    run_dir = ctx.run_dir(f"boot-{kind}-{time.strftime('%H%M%S')}")
    url = ctx.database(kind, "sqlite", run_dir)
    server = start_server(kind, run_dir, ctx.placement, database_url=url)
    start_at = time.monotonic() + delay
    workers = Workers.spawn(
        _spec(ctx, server, database.station_ids(stations), connect_concurrency=0,
              statuses=STATUS_CONNECTORS, start_at=start_at, call_timeout=STORM_TIMEOUT),
        ctx.client_processes,
    )
    try:
        time.sleep(max(0.0, start_at - time.monotonic()))
        cpu0 = server.cpu_seconds()
        setups = workers.wait_ready(300)
        cpu1 = server.cpu_seconds()
    except BaseException:
        server.stop(10)
        raise
    finally:
        workers.close()
    errors, first = _setup_errors(setups)
    accepted = int(total(setups, "accepted"))
    finished = max(float(s["finished"]) for s in setups)
    row: dict[str, Any] = {
        "scenario": "boot", "variant": str(stations), "server": kind, "stations": stations,
        "accepted": accepted,
        "all_accepted_s": max(float(s["last_accepted"]) for s in setups) - start_at,
        "all_done_s": finished - start_at,
        "statuses_answered": int(total(setups, "statuses_answered")),
        "errors": errors, "first_error": first,
        "server_cpu_s": cpu1 - cpu0,
    }
    row.update(_stop(server, url))
    if url is not None:
        row["boots_lost"] = max(0, accepted - int(row["db_stations_booted"]))
        row["statuses_lost"] = max(0, row["statuses_answered"] - int(row["db_status_events"]))
    return row

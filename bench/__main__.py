"""``python -m bench {all,steady,idle,boot,command,ingest,report} [--quick] [...]``

Runs each scenario ``--runs`` times against each server (interleaved: run 1 of every
server, then run 2, ...), prints the medians and ratios, keeps every run's figures in
``bench/results/raw/<time>/rows.jsonl`` and, for a full ``all``, writes
``bench/results/latest.json``, the tables in docs/benchmarks.md and the plot
docs/benchmarks-steady.png. ``report FILE`` redoes the docs from a saved run.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import database, report
from bench.loadgen import raise_fd_limit
from bench.procs import KINDS, REPO, Placement
from bench.scenarios import (
    INGEST_CYCLE,
    Context,
    boot_storm_run,
    idle_run,
    load_run,
)

SCENARIOS = ("steady", "idle", "boot", "command", "ingest")
DOCS = REPO / "docs" / "benchmarks.md"
PLOT = REPO / "docs" / "benchmarks-steady.png"
LATEST = REPO / "bench" / "results" / "latest.json"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"


@dataclass
class Plan:
    """Sizes and durations of one invocation (full, or ``--quick``)."""

    runs: int = 3
    steady_stations: tuple[int, ...] = (1000, 5000)
    duration: float = 5.0
    warmup: float = 2.0
    idle_levels: tuple[int, ...] = (5000, 15000)
    boot_stations: int = 10_000
    command_stations: int = 1000
    command_rate: float = 40.0
    ingest_stations: int = 1000
    postgres: bool = True  # ingest on PostgreSQL too, when it can be reached
    settle: float = 2.0  # idle: seconds between the last boot and reading the RSS
    storm_delay: float = 3.0  # boot storm: seconds to start the load processes first

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            runs=1, steady_stations=(100,), duration=1.0, warmup=0.3, idle_levels=(200, 500),
            boot_stations=300, command_stations=100, command_rate=20.0, ingest_stations=100,
            postgres=False, settle=0.5, storm_delay=1.0,
        )


class Session:
    """One invocation: its plan, its output directory, the rows measured so far."""

    def __init__(self, plan: Plan, servers: tuple[str, ...], out: Path, processes: int) -> None:
        self.plan = plan
        self.servers = servers
        self.rows: list[dict[str, Any]] = []
        template = max(plan.idle_levels + plan.steady_stations + (plan.boot_stations,
                       plan.command_stations, plan.ingest_stations))
        self.ctx = Context(out, Placement.detect(), processes, template)
        self.rows_file = out / "rows.jsonl"

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        with self.rows_file.open("a") as out:
            out.write(json.dumps(row) + "\n")
        figures = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()
                   if k in ("msgs_per_s", "p50_ms", "p99_ms", "server_cpu_pct", "client_cpu_pct",
                            "kib_per_station", "all_accepted_s", "all_done_s", "errors",
                            "cmd_p50_ms", "cmd_p99_ms", "samples_acked_per_s", "samples_lost",
                            "unanswered", "setup_errors", "first_error", "load_error")}
        print(f"  {row['scenario']:8} {row['variant']:>8} {row['server']:9} {figures}", flush=True)

    def each(self, run: Callable[[str], None]) -> None:
        for rep in range(self.plan.runs):
            order = self.servers[rep % len(self.servers):] + self.servers[: rep % len(self.servers)]
            for kind in order:
                run(kind)

    # -- scenarios ---------------------------------------------------------------------
    def steady(self) -> None:
        plan = self.plan
        for stations in plan.steady_stations:

            def run(kind: str, n: int = stations) -> None:
                self.add(load_run(self.ctx, kind, n, scenario="steady", variant=str(n),
                                  duration=plan.duration, warmup=plan.warmup))

            self.each(run)

    def idle(self) -> None:
        def run(kind: str) -> None:
            for row in idle_run(self.ctx, kind, self.plan.idle_levels, self.plan.settle):
                self.add(row)

        self.each(run)

    def boot(self) -> None:
        plan = self.plan
        self.each(lambda kind: self.add(
            boot_storm_run(self.ctx, kind, plan.boot_stations, plan.storm_delay)))

    def command(self) -> None:
        plan, n = self.plan, self.plan.command_stations
        half = {kind: self._max_rate(kind, n) / 2 for kind in self.servers}
        self.each(lambda kind: self.add(load_run(
            self.ctx, kind, n, scenario="command", variant=str(n), rate=half[kind],
            duration=plan.duration, warmup=plan.warmup,
            commands={"rate": plan.command_rate, "duration": max(0.8, plan.duration - 1)})))

    def _max_rate(self, kind: str, stations: int) -> float:
        """Steady messages/s at this N, measured earlier in this session or now."""
        known = [r["msgs_per_s"] for r in self.rows
                 if r["scenario"] == "steady" and r["server"] == kind and r["stations"] == stations]
        if not known:
            row = load_run(self.ctx, kind, stations, scenario="calibrate", variant=str(stations),
                           duration=min(4.0, self.plan.duration), warmup=min(2.0, self.plan.warmup))
            known = [row["msgs_per_s"]]
        return float(sorted(known)[len(known) // 2])

    def ingest(self) -> None:
        plan, n = self.plan, self.plan.ingest_stations
        backends = ["sqlite"] + (
            ["postgresql"] if plan.postgres and database.postgres_available() else []
        )
        if plan.postgres and len(backends) == 1:
            print("  PostgreSQL not reachable at", database.PG_ADMIN_URL, "- ingest on SQLite only")

        def run(kind: str) -> None:
            for backend in backends if kind == "csms" else ["none"]:
                variant = f"{n}-{backend}" if kind == "csms" else f"{n}-{kind}"
                row = load_run(self.ctx, kind, n, scenario="ingest", variant=variant,
                               cycle=INGEST_CYCLE, duration=plan.duration, warmup=plan.warmup,
                               backend=backend)
                for shown in _ingest_variants(row, backends):
                    self.add(shown)

        self.each(run)


def _ingest_variants(row: dict[str, Any], backends: list[str]) -> list[dict[str, Any]]:
    """Baseline and echo rows are shown beside every csms backend."""
    if row["server"] == "csms":
        return [row]
    return [{**row, "variant": f"{row['stations']}-{backend}"} for backend in backends]


def write_docs(rows: list[dict[str, Any]], machine: dict[str, str], command: str) -> None:
    plotted = report.plot(rows, PLOT)
    lines = [
        START,
        f"Measured {machine['date']} on commit `{machine['commit']}` with `{command}`.",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in machine.items() if k not in ("date", "commit")],
        "",
        "### Targets",
        "",
        report.targets_table(rows),
        "### Medians and ratios",
        report.tables(rows),
        "### Nothing acknowledged lost (csms, every run; rows counted in the database after "
        "the server stopped)",
        "",
        report.integrity(rows),
    ]
    if plotted:
        lines += ["![steady: messages/s and p99 latency against stations](benchmarks-steady.png)", ""]
    lines.append(END)
    block = "\n".join(lines)
    text = DOCS.read_text() if DOCS.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    DOCS.write_text(pattern.sub(lambda _m: block, text) if pattern.search(text) else text + "\n" + block + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=(*SCENARIOS, "all", "report"))
    parser.add_argument("file", nargs="?", help="for report: a saved latest.json")
    parser.add_argument("--quick", action="store_true", help="a smoke check (< 1 minute)")
    parser.add_argument("--runs", type=int, help="runs per server (default 3, quick 1)")
    parser.add_argument("--stations", type=int, nargs="+", help="N for steady (and command/ingest)")
    parser.add_argument("--duration", type=float, help="seconds measured per load run")
    parser.add_argument("--warmup", type=float, help="seconds of load before measuring")
    parser.add_argument("--servers", default=",".join(KINDS), help="subset of echo,baseline,csms")
    parser.add_argument("--client-processes", type=int, default=1,
                        help="load generator processes (more are added per 8 000 stations)")
    parser.add_argument("--out", type=Path, help="where raw results go")
    parser.add_argument("--docs", action=argparse.BooleanOptionalAction, default=None,
                        help="write docs/benchmarks.md and the plot (default: for a full 'all')")
    args = parser.parse_args(argv)

    if args.scenario == "report":
        saved = json.loads(Path(args.file or LATEST).read_text())
        write_docs(saved["rows"], saved["machine"], saved["command"])
        print(report.targets_table(saved["rows"]))
        return 0
    plan = Plan.quick() if args.quick else Plan()
    if args.runs:
        plan.runs = args.runs
    if args.stations:
        plan.steady_stations = tuple(args.stations)
        plan.command_stations = plan.ingest_stations = args.stations[0]
    if args.duration:
        plan.duration = args.duration
    if args.warmup is not None:
        plan.warmup = args.warmup
    servers = tuple(s for s in args.servers.split(",") if s)
    if unknown := set(servers) - set(KINDS):
        parser.error(f"unknown servers: {sorted(unknown)}")
    raise_fd_limit()
    # stopped from outside: unwind, so that the servers under test are stopped too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = args.out or REPO / "bench" / "results" / "raw" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    session = Session(plan, servers, out, args.client_processes)
    chosen = SCENARIOS if args.scenario == "all" else (args.scenario,)
    began = time.monotonic()
    for name in chosen:
        print(f"{name}:", flush=True)
        getattr(session, name)()
    machine = report.machine()
    command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    print(report.tables(session.rows))
    print(report.targets_table(session.rows))
    print(f"{time.monotonic() - began:.0f} s; raw results in {out}")
    saved = {"machine": machine, "command": command, "rows": session.rows}
    (out / "summary.json").write_text(json.dumps(saved, indent=1))
    write = args.docs if args.docs is not None else (args.scenario == "all" and not args.quick)
    if write:
        LATEST.parent.mkdir(parents=True, exist_ok=True)
        LATEST.write_text(json.dumps(saved, indent=1))
        write_docs(session.rows, machine, command)
    failed = [r for r in session.rows if r.get("server_exit") not in (0, None)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

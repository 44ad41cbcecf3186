"""Medians of the runs, ratios of csms to the baseline and to the echo limit, the
targets, the markdown tables for docs/benchmarks.md and the plot."""

from __future__ import annotations

import math
import platform
import statistics
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.procs import REPO


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    higher_is_better: bool


# scenario -> the figures shown for it
METRICS: dict[str, list[Metric]] = {
    "steady": [
        Metric("msgs_per_s", "messages/s", True),
        Metric("msgs_per_cpu_s", "messages per server CPU-second", True),
        Metric("p50_ms", "p50 latency (ms)", False),
        Metric("p99_ms", "p99 latency (ms)", False),
        Metric("server_cpu_pct", "server CPU (%)", False),
        Metric("client_cpu_pct", "load generator CPU (%)", False),
    ],
    "idle": [Metric("kib_per_station", "server KiB per station", False)],
    "boot": [
        Metric("all_accepted_s", "s until all Accepted", False),
        Metric("all_done_s", "s until every StatusNotification answered", False),
        Metric("errors", "errors", False),
    ],
    "command": [
        Metric("cmd_p50_ms", "command p50 (ms)", False),
        Metric("cmd_p99_ms", "command p99 (ms)", False),
        Metric("msgs_per_s", "background messages/s", True),
        Metric("cmd_errors", "command errors", False),
    ],
    "ingest": [
        Metric("samples_acked_per_s", "meter-value rows/s (csms: committed)", True),
        Metric("msgs_per_cpu_s", "MeterValues per server CPU-second", True),
        Metric("p99_ms", "p99 latency (ms)", False),
    ],
}
LOSS_KEYS = ("samples_lost", "boots_lost", "statuses_lost", "unanswered", "call_errors")


def medians(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, float]]:
    """(scenario, variant, server) -> median of every numeric figure over the runs."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["scenario"], row["variant"], row["server"])].append(row)
    out: dict[tuple[str, str, str], dict[str, float]] = {}
    for key, runs in groups.items():
        numbers: dict[str, list[float]] = defaultdict(list)
        for run in runs:
            for name, value in run.items():
                number = isinstance(value, int | float) and not isinstance(value, bool)
                if number and not math.isnan(value):
                    numbers[name].append(float(value))
        out[key] = {name: statistics.median(values) for name, values in numbers.items()}
        out[key]["runs"] = len(runs)
    return out


def _fmt(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0 or math.isnan(a) or math.isnan(b):
        return "–"
    return f"{a / b:.2f}×"


def _variant_order(variant: str) -> tuple[int, str]:
    digits = "".join(c for c in variant if c.isdigit())
    return (int(digits) if digits else 0, variant)


def tables(rows: list[dict[str, Any]]) -> str:
    """One markdown table per scenario: csms, baseline, echo and the two ratios."""
    med = medians(rows)
    out: list[str] = []
    for scenario, metrics in METRICS.items():
        variants = sorted({k[1] for k in med if k[0] == scenario}, key=_variant_order)
        if not variants:
            continue
        out.append(f"\n**{scenario}**\n")
        out.append("| N / variant | figure | csms | baseline | echo | csms ÷ baseline | csms ÷ echo | runs |")
        out.append("|---|---|---|---|---|---|---|---|")
        for variant in variants:
            figures = {s: med.get((scenario, variant, s)) for s in ("csms", "baseline", "echo")}
            runs = "/".join(str(int(f["runs"])) if f else "0" for f in figures.values())
            for metric in metrics:
                values = {s: (f.get(metric.key) if f else None) for s, f in figures.items()}
                out.append(
                    f"| {variant} | {metric.label} | {_fmt(values['csms'])} | "
                    f"{_fmt(values['baseline'])} | {_fmt(values['echo'])} | "
                    f"{_ratio(values['csms'], values['baseline'])} | "
                    f"{_ratio(values['csms'], values['echo'])} | {runs} |"
                )
    return "\n".join(out) + "\n"


def integrity(rows: list[dict[str, Any]]) -> str:
    """Per run: what csms acknowledged and what the database holds afterwards."""
    out = [
        "| scenario | N | run | sent | answered | unanswered | CALLERRORs | acked samples | "
        "sample rows stored | samples lost | boots in db | status rows | boots lost | "
        "statuses lost |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    counter: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["server"] != "csms":
            continue
        key = (row["scenario"], row["variant"])
        counter[key] += 1
        out.append(
            f"| {row['scenario']} | {row['variant']} | {counter[key]} | {row.get('sent', '–')} | "
            f"{row.get('answered', '–')} | {row.get('unanswered', '–')} | "
            f"{row.get('call_errors', row.get('errors', '–'))} | "
            f"{row.get('samples_expected', '–')} | {row.get('db_meter_values', '–')} | "
            f"{row.get('samples_lost', '–')} | {row.get('db_stations_booted', '–')} | "
            f"{row.get('db_status_events', '–')} | {row.get('boots_lost', '–')} | "
            f"{row.get('statuses_lost', '–')} |"
        )
    return "\n".join(out) + "\n"


def targets(rows: list[dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) for the issue's targets; None when not measured."""
    med = medians(rows)
    found: list[tuple[str, str, bool | None]] = []

    def get(scenario: str, variant: str, server: str, key: str) -> float | None:
        figures = med.get((scenario, variant, server))
        return None if figures is None else figures.get(key)

    for variant in sorted({k[1] for k in med if k[0] == "steady"}, key=_variant_order):
        csms, base, echo = (get("steady", variant, s, "msgs_per_s") for s in ("csms", "baseline", "echo"))
        eff = {s: get("steady", variant, s, "msgs_per_cpu_s") or 0.0 for s in ("csms", "baseline", "echo")}
        if csms and base:
            per_cpu = f" (per server CPU-second {eff['csms'] / eff['baseline']:.2f}×)" if eff["baseline"] else ""
            found.append((f"steady N={variant}: ≥ 10× baseline messages/s",
                          f"{csms / base:.2f}×{per_cpu}", csms / base >= 10))
        if csms and echo:
            per_cpu = f" (per server CPU-second {100 * eff['csms'] / eff['echo']:.0f} %)" if eff["echo"] else ""
            found.append((f"steady N={variant}: ≥ 40 % of the echo limit",
                          f"{100 * csms / echo:.0f} %{per_cpu}", csms / echo >= 0.4))
    per_station = get("idle", "15000", "csms", "kib_per_station")
    if per_station is not None:
        found.append(("idle N=15000: ≤ 20 KiB per station", f"{per_station:.1f} KiB", per_station <= 20))
    for variant in sorted({k[1] for k in med if k[0] == "boot"}, key=_variant_order):
        seconds = get("boot", variant, "csms", "all_accepted_s")
        errors = get("boot", variant, "csms", "errors")
        worst = max((r.get("errors", 0) for r in rows
                     if r["scenario"] == "boot" and r["server"] == "csms" and r["variant"] == variant), default=0)
        if seconds is not None and errors is not None:
            found.append((f"boot storm N={variant}: all Accepted ≤ 20 s, zero errors",
                          f"{seconds:.1f} s, errors (worst run) {worst}", seconds <= 20 and worst == 0))
    p99 = get("command", "1000", "csms", "cmd_p99_ms")
    if p99 is not None:
        found.append(("command p99 ≤ 25 ms at half load", f"{p99:.1f} ms", p99 <= 25))
    csms_rows = [r for r in rows if r["server"] == "csms"]
    if csms_rows:
        lost = sum(int(r.get(k) or 0) for r in csms_rows for k in ("samples_lost", "boots_lost", "statuses_lost"))
        unanswered = sum(int(r.get("unanswered") or 0) for r in csms_rows)
        found.append(("no acknowledged message lost (all runs)",
                      f"{lost} rows lost, {unanswered} CALLs unanswered", lost == 0 and unanswered == 0))
    return found


def targets_table(rows: list[dict[str, Any]]) -> str:
    out = ["| target | measured (median) | met |", "|---|---|---|"]
    for target, measured, met in targets(rows):
        out.append(f"| {target} | {measured} | {'yes' if met else 'no' if met is False else '–'} |")
    return "\n".join(out) + "\n"


def machine() -> dict[str, str]:
    """Cores, CPU, memory, Python and library versions, the commit and the date."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split()[1]
    versions = {}
    for name in ("picows", "uvloop", "msgspec", "SQLAlchemy", "aiosqlite", "asyncpg", "ocpp",
                 "websockets", "jsonschema"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    import sqlite3

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True, check=False).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": str(len(__import__("os").sched_getaffinity(0))),
        "cpu": cpu,
        "memory": f"{int(mem) / 1024 / 1024:.0f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "commit": commit,
        **versions,
    }


def plot(rows: list[dict[str, Any]], path: Path) -> bool:
    """messages/s and p99 latency against the number of stations (steady); False without
    matplotlib (``pip install -e '.[bench]'``)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    med = medians(rows)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for server, style in (("csms", "o-"), ("baseline", "s--"), ("echo", "^:")):
        points = sorted(
            (int(k[1]), v) for k, v in med.items() if k[0] == "steady" and k[2] == server
        )
        if not points:
            continue
        xs = [p[0] for p in points]
        left.plot(xs, [p[1].get("msgs_per_s", math.nan) for p in points], style, label=server)
        right.plot(xs, [p[1].get("p99_ms", math.nan) for p in points], style, label=server)
    left.set(xlabel="stations", ylabel="messages/s", title="steady: throughput", yscale="log")
    right.set(xlabel="stations", ylabel="p99 latency (ms)", title="steady: p99 latency", yscale="log")
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    fig.suptitle("csms vs mobilityhouse ocpp baseline vs raw picows echo (server on one core)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True

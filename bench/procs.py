"""The servers under test as processes: start (pinned with taskset), wait until they
listen, read their CPU time and resident memory from /proc, stop them gracefully."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
KINDS = ("echo", "baseline", "csms")
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Placement:
    """Which cores the server and the load generator run on."""

    server_cpus: list[int]
    client_cpus: list[int]

    @classmethod
    def detect(cls) -> Placement:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            return cls(cpus, cpus)
        return cls(cpus[:1], cpus[1:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    kind: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    http_port: int | None = None  # csms's REST API

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp/"

    @property
    def api_url(self) -> str:
        if self.http_port is None:
            raise ValueError(f"{self.kind} has no HTTP API")
        return f"http://127.0.0.1:{self.http_port}"

    def cpu_seconds(self) -> float:
        """User + system CPU time of every thread of the process so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM, wait (csms flushes its write-behind on the way out); SIGKILL if stuck."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_server(
    kind: str,
    run_dir: Path,
    placement: Placement,
    *,
    database_url: str | None = None,
    commands: dict[str, Any] | None = None,
    ready_timeout: float = 90.0,
) -> ServerProcess:
    """Start one server on a free port and return once it accepts TCP connections."""
    run_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), env.get("PYTHONPATH", "")) if p
    )
    http_port = None
    if commands is not None and kind != "csms":  # csms is driven through its API instead
        env["BENCH_COMMANDS"] = json.dumps(commands)
    if kind == "csms":
        if database_url is None:
            raise ValueError("csms needs a database_url")
        env.update(
            CSMS_HOST="127.0.0.1",
            CSMS_OCPP_PORT=str(port),
            CSMS_HTTP_PORT=str(http_port := free_port()),
            CSMS_DATABASE_URL=database_url,
            CSMS_LOG_FORMAT="json",
            CSMS_LOG_LEVEL="info",
            CSMS_CONFIG=str(run_dir / "no-such-csms.toml"),
        )
        module = ["csms", "serve"]
    elif kind == "baseline":
        module = ["bench.servers.ocpp_baseline", "--port", str(port)]
    elif kind == "echo":
        module = ["bench.servers.echo", "--port", str(port)]
    else:
        raise ValueError(f"unknown server {kind!r}")
    command = [sys.executable, "-m", *module]
    taskset = shutil.which("taskset")
    if taskset and placement.server_cpus != placement.client_cpus:
        command = [taskset, "-c", ",".join(map(str, placement.server_cpus)), *command]
    log = run_dir / f"{kind}-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=run_dir, stdout=out, stderr=subprocess.STDOUT)
    server = ServerProcess(kind, proc, port, log, http_port)
    _wait_listening(server, ready_timeout)
    return server


def _wait_listening(server: ServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            tail = server.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{server.kind} exited with {server.proc.returncode}:\n{tail}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    server.stop(5)
    raise RuntimeError(f"{server.kind} did not listen on {server.port} within {timeout} s")


def start_http_commands(
    server: ServerProcess, commands: dict[str, Any], ready_timeout: float = 120.0
) -> subprocess.Popen[bytes]:
    """Scenario 4's REST API driver (:mod:`bench.http_commands`) against csms, on the load
    generator's cores; returns once it is ready (send it SIGUSR1 to start)."""
    from bench.http_commands import API_KEY, ready_path

    config = {**commands, "api": server.api_url, "key": API_KEY}
    env = dict(os.environ, BENCH_COMMANDS=json.dumps(config))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "bench.http_commands"]
    client_cpus = sorted(os.sched_getaffinity(0) - set(_server_cpus(server)))
    taskset = shutil.which("taskset")
    if taskset and client_cpus:
        command = [taskset, "-c", ",".join(map(str, client_cpus)), *command]
    log = server.log.with_name("http-commands.log")
    with log.open("wb") as out:
        driver = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    ready = ready_path(Path(commands["out"]))
    deadline = time.monotonic() + ready_timeout
    while not ready.exists():
        if driver.poll() is not None or time.monotonic() > deadline:
            driver.kill()
            raise RuntimeError(f"the command driver did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return driver


def _server_cpus(server: ServerProcess) -> set[int]:
    return os.sched_getaffinity(server.proc.pid)

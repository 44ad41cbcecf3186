"""The load generator: simulated OCPP 1.6J stations, many per process.

Each station is a picows client listener driving csms's own sans-I/O core
(:class:`csms.ocpp.RpcSession`): CALLs are framed by the session, answers are matched
by it, and CALLs from the central system (remote start/stop) are answered at once with
``{"status":"Accepted"}``.

A worker process owns a slice of the stations and talks to the orchestrator over a
pipe (:func:`worker_main`):

1. it brings its stations up (connect, BootNotification, StatusNotifications,
   StartTransaction, as the :class:`WorkerSpec` says) and reports ``ready`` with the
   timings and errors of that phase;
2. on ``load`` it makes every station send its cycle of CALLs back to back (or paced
   to a rate), records the latency of every answer that arrives in the measurement
   window ``[t0, t1]`` and its own CPU time over that window, stops sending at ``t1``,
   waits for the outstanding answers and reports the counts;
3. on ``close`` it closes every socket and exits.

Times are ``time.monotonic()`` seconds (CLOCK_MONOTONIC, the same in every process).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import resource
import time
from array import array
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import msgspec
import uvloop
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

from csms.ocpp import CallReceived, ErrorReceived, OcppVersion, ResultReceived, RpcSession

ACCEPTED = b'{"status":"Accepted"}'
BOOT = b'{"chargePointVendor":"csms-bench","chargePointModel":"loadgen","firmwareVersion":"1.0"}'
HEARTBEAT = b"{}"
# The seed's MeterValues: four sampled values in one MeterValue (OCPP 1.6 §7.31, §7.43).
METER_VALUES = (
    b'{"connectorId":1,"transactionId":%d,"meterValue":[{"timestamp":"%s","sampledValue":['
    b'{"value":"241.10","measurand":"Voltage","unit":"V"},'
    b'{"value":"0.00","measurand":"Current.Import","unit":"A"},'
    b'{"value":"0","measurand":"Power.Active.Import","unit":"W"},'
    b'{"value":"32","measurand":"Current.Offered","unit":"A"}]}]}'
)
SAMPLES_PER_METER_VALUES = 4
STATUS = b'{"connectorId":%d,"errorCode":"NoError","status":"Available","timestamp":"%s"}'
START = b'{"connectorId":1,"idTag":"%s","meterStart":0,"timestamp":"%s"}'
ID_TAG = "BENCHTAG"
CALL_TIMEOUT = 3600.0  # the session's deadline; the worker enforces its own


class _Answer(msgspec.Struct, rename="camel"):
    """The fields of an answer the stations look at (every other field is ignored)."""

    status: str = ""
    transaction_id: int = 0
    id_tag_info: dict[str, Any] = msgspec.field(default_factory=dict)


_decode_answer = msgspec.json.Decoder(_Answer).decode


@dataclass
class WorkerSpec:
    """What one worker process does."""

    name: str
    url: str  # ws://host:port/ocpp/ (the station id is appended)
    station_ids: list[str]
    source_ips: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    connect_concurrency: int = 100  # 0: every station at once (boot storm)
    boot: bool = True
    statuses: tuple[int, ...] = ()  # connector ids, one StatusNotification each after boot
    start_transaction: bool = False
    cycle: tuple[str, ...] = ()  # e.g. ("MeterValues", "Heartbeat"); () is idle
    rate: float = 0.0  # CALLs/s of this worker in the load phase; 0: back to back
    start_at: float | None = None  # monotonic time to begin bringing stations up
    call_timeout: float = 120.0
    cpus: list[int] | None = None


@dataclass
class SetupReport:
    stations: int = 0
    connected: int = 0
    accepted: int = 0
    ready: int = 0  # every setup CALL answered as expected
    connect_errors: int = 0
    call_errors: int = 0  # CALLERROR answers, refusals (not Accepted), timeouts
    statuses_answered: int = 0
    transactions_started: int = 0
    meter_values_answered: int = 0
    first_error: str = ""
    began: float = 0.0
    last_accepted: float = 0.0  # monotonic time of the last Accepted boot
    finished: float = 0.0  # monotonic time the last station finished its setup


@dataclass
class LoadReport:
    sent: int = 0
    answered: int = 0
    call_errors: int = 0
    unanswered: int = 0
    disconnects: int = 0
    commands_answered: int = 0
    window: float = 0.0
    window_answered: int = 0
    sent_by_action: dict[str, int] = field(default_factory=dict)
    results_by_action: dict[str, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # this worker's CPU time within the window
    first_error: str = ""


def utc_stamp() -> bytes:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()).encode()


class Station(WSListener):
    """One simulated station: a picows listener around an :class:`RpcSession`."""

    def __init__(self, worker: Worker, station_id: str, index: int) -> None:
        self.worker = worker
        self.station_id = station_id
        self.index = index
        self.session = RpcSession(OcppVersion.V16)
        self.transport: WSTransport | None = None
        self.waiter: asyncio.Future[ResultReceived | ErrorReceived] | None = None
        self.action = ""
        self.sent_at = 0.0
        self.busy = False
        self.step = 0
        self.transaction_id = index + 1

    # -- picows callbacks ------------------------------------------------------------
    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind is not WSMsgType.TEXT:
            if kind is WSMsgType.CLOSE:
                transport.send_close(frame.get_close_code())
                transport.disconnect()
            return
        now = time.perf_counter()
        event = self.session.receive(frame.get_payload_as_bytes(), now)
        if type(event) is ResultReceived or type(event) is ErrorReceived:
            self.busy = False
            waiter = self.waiter
            if waiter is not None:
                self.waiter = None
                if not waiter.done():
                    waiter.set_result(event)
            else:
                self.worker.answered(self, event, now)
        elif type(event) is CallReceived:
            self.session.reply(event.unique_id, ACCEPTED)
            self._flush()
            self.worker.load.commands_answered += 1

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.worker.disconnected(self)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("disconnected"))

    # -- calls -----------------------------------------------------------------------
    def send(self, action: str, payload: bytes) -> None:
        now = time.perf_counter()
        self.action = action
        self.sent_at = now
        self.busy = True
        self.session.call(action, payload, CALL_TIMEOUT, now)
        self._flush()

    def _flush(self) -> None:
        transport = self.transport
        if transport is None:
            return
        for frame in self.session.data_to_send():
            transport.send(WSMsgType.TEXT, frame)

    async def request(self, action: str, payload: bytes, timeout: float) -> _Answer:
        """Send a CALL and wait for its CALLRESULT (setup phase); raises on anything else."""
        future: asyncio.Future[ResultReceived | ErrorReceived] = (
            asyncio.get_running_loop().create_future()
        )
        self.waiter = future
        self.send(action, payload)
        event = await asyncio.wait_for(future, timeout)
        if isinstance(event, ErrorReceived):
            raise RuntimeError(f"{action}: CALLERROR {event.error_code} {event.description}")
        return _decode_answer(event.payload)

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_disconnected:
            self.transport.send_close()
            self.transport.disconnect()


class Worker:
    """The stations of one process and the phases the orchestrator drives."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.stations = [Station(self, sid, i) for i, sid in enumerate(spec.station_ids)]
        self.setup = SetupReport(stations=len(self.stations))
        self.load = LoadReport()
        self.latencies = array("d")
        self.t0 = self.t1 = float("inf")
        self.stopping = False
        self.outstanding = 0
        self.drained: asyncio.Event | None = None
        self.stamp = utc_stamp()
        self.interval = 0.0
        self.cpu_at_t0 = 0.0

    # -- setup -----------------------------------------------------------------------
    async def bring_up(self) -> None:
        spec = self.spec
        if spec.start_at is not None:
            await asyncio.sleep(max(0.0, spec.start_at - time.monotonic()))
        self.setup.began = time.monotonic()
        limit = spec.connect_concurrency or len(self.stations) or 1
        gate = asyncio.Semaphore(limit)
        await asyncio.gather(*(self._bring_up(station, gate) for station in self.stations))

    async def _bring_up(self, station: Station, gate: asyncio.Semaphore) -> None:
        spec, report = self.spec, self.setup
        source = spec.source_ips[station.index % len(spec.source_ips)]
        try:
            async with gate:
                await ws_connect(
                    lambda: station,
                    spec.url + station.station_id,
                    extra_headers={"Sec-WebSocket-Protocol": "ocpp1.6"},
                    websocket_handshake_timeout=spec.call_timeout,
                    read_buffer_init_size=4096,
                    local_addr=(source, 0),
                )
        except Exception as error:
            report.connect_errors += 1
            report.first_error = report.first_error or f"connect: {error!r}"
            return
        report.connected += 1
        try:
            await self._setup_calls(station)
        except Exception as error:
            report.call_errors += 1
            report.first_error = report.first_error or f"{station.action}: {error!r}"
            return
        report.ready += 1
        report.finished = max(report.finished, time.monotonic())

    async def _setup_calls(self, station: Station) -> None:
        spec, report, timeout = self.spec, self.setup, self.spec.call_timeout
        if spec.boot:
            answer = await station.request("BootNotification", BOOT, timeout)
            if answer.status != "Accepted":
                raise RuntimeError(f"BootNotification answered {answer.status}")
            report.accepted += 1
            report.last_accepted = max(report.last_accepted, time.monotonic())
        for connector in spec.statuses:
            await station.request("StatusNotification", STATUS % (connector, utc_stamp()), timeout)
            report.statuses_answered += 1
        if spec.start_transaction:
            start = START % (ID_TAG.encode(), utc_stamp())
            answer = await station.request("StartTransaction", start, timeout)
            station.transaction_id = answer.transaction_id or station.transaction_id
            report.transactions_started += 1
            if "MeterValues" in spec.cycle:
                # a charging station has reported before: first-report costs (loading
                # the transaction's running cost, say) belong to setup, not steady state
                payload = METER_VALUES % (station.transaction_id, utc_stamp())
                await station.request("MeterValues", payload, timeout)
                report.meter_values_answered += 1

    # -- load ------------------------------------------------------------------------
    async def run_load(self, t0: float, t1: float, drain_timeout: float) -> None:
        loop = asyncio.get_running_loop()
        self.t0, self.t1 = _to_perf(t0), _to_perf(t1)
        self.drained = asyncio.Event()
        self.load.window = t1 - t0
        loop.call_later(max(0.0, t0 - time.monotonic()), self._mark_t0)
        loop.call_later(max(0.0, t1 - time.monotonic()), self._mark_t1)
        ticker = loop.create_task(self._tick_stamp())
        active = [s for s in self.stations if s.transport is not None and not s.busy]
        if self.spec.rate > 0 and active:
            self.interval = len(active) / self.spec.rate
        self.outstanding = len(active)
        for station in active:
            if self.interval:
                loop.call_later(random.uniform(0, self.interval), self._next, station)
            else:
                self._next(station)
        await asyncio.sleep(max(0.0, t1 - time.monotonic()))
        if self.outstanding:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.drained.wait(), drain_timeout)
        self.load.unanswered += sum(1 for s in self.stations if s.busy)
        ticker.cancel()

    def _mark_t0(self) -> None:
        self.cpu_at_t0 = time.process_time()

    def _mark_t1(self) -> None:
        self.load.cpu_seconds = time.process_time() - self.cpu_at_t0
        self.stopping = True
        if self.outstanding == 0 and self.drained is not None:
            self.drained.set()

    async def _tick_stamp(self) -> None:
        while True:
            self.stamp = utc_stamp()
            await asyncio.sleep(0.5)

    def _next(self, station: Station) -> None:
        if self.stopping or station.transport is None or station.transport.is_disconnected:
            self._retire()
            return
        cycle = self.spec.cycle
        action = cycle[station.step % len(cycle)]
        station.step += 1
        if action == "MeterValues":
            payload = METER_VALUES % (station.transaction_id, self.stamp)
        else:
            payload = HEARTBEAT
        load = self.load
        load.sent += 1
        load.sent_by_action[action] = load.sent_by_action.get(action, 0) + 1
        station.send(action, payload)

    def answered(self, station: Station, event: ResultReceived | ErrorReceived, now: float) -> None:
        load = self.load
        load.answered += 1
        if type(event) is ErrorReceived:
            load.call_errors += 1
            if not load.first_error:
                load.first_error = f"{station.action}: {event.error_code} {event.description}"
        else:
            by_action = load.results_by_action
            by_action[station.action] = by_action.get(station.action, 0) + 1
        if self.t0 <= now <= self.t1:
            self.latencies.append(now - station.sent_at)
            load.window_answered += 1
        if self.stopping:
            self._retire()
        elif self.interval:
            delay = station.sent_at + self.interval - now
            if delay > 0:
                asyncio.get_running_loop().call_later(delay, self._next, station)
            else:
                self._next(station)
        else:
            self._next(station)

    def _retire(self) -> None:
        self.outstanding -= 1
        if self.outstanding <= 0 and self.drained is not None:
            self.drained.set()

    def disconnected(self, station: Station) -> None:
        self.load.disconnects += 1
        if station.busy and self.drained is not None:
            station.busy = False
            self.load.unanswered += 1
            self._retire()

    def close(self) -> None:
        for station in self.stations:
            station.close()


def _to_perf(monotonic_time: float) -> float:
    """A ``time.monotonic()`` instant on the ``time.perf_counter()`` scale."""
    return monotonic_time - time.monotonic() + time.perf_counter()


def raise_fd_limit() -> int:
    """Raise the soft open-files limit to the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def worker_main(spec: WorkerSpec, pipe: Connection) -> None:
    """Entry point of a worker process."""
    if spec.cpus:
        os.sched_setaffinity(0, spec.cpus)
    raise_fd_limit()
    uvloop.run(_serve(spec, pipe))


async def _serve(spec: WorkerSpec, pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    worker = Worker(spec)
    await worker.bring_up()
    pipe.send({"ready": asdict(worker.setup)})
    while True:
        command: dict[str, Any] = await loop.run_in_executor(None, pipe.recv)
        if command["cmd"] == "load":
            await worker.run_load(command["t0"], command["t1"], command.get("drain", 30.0))
            pipe.send({"load": asdict(worker.load), "latencies": worker.latencies.tobytes()})
        elif command["cmd"] == "close":
            worker.close()
            await asyncio.sleep(0.2)
            pipe.send({"closed": True})
            return

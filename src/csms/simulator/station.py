"""A simulated OCPP 1.6J charge point that a test, or a person, drives step by step.

Every step is a coroutine a test can await on its own: :meth:`SimulatedStation.connect`,
:meth:`~SimulatedStation.boot`, :meth:`~SimulatedStation.send_status`,
:meth:`~SimulatedStation.authorize`, :meth:`~SimulatedStation.start_transaction`,
:meth:`~SimulatedStation.send_meter_values`, :meth:`~SimulatedStation.stop_transaction`,
:meth:`~SimulatedStation.heartbeat`, or any call with :meth:`~SimulatedStation.call`.
Meanwhile the station does what a real one does by itself: heartbeats at the interval
the central system gave (1.6 §4.6), samples the meter during transactions (§4.7),
answers the central system's calls (§5, see :mod:`csms.simulator.answers`) and keeps
transaction messages in order across connection loss (§3.4, see
:mod:`csms.simulator.offline` and :mod:`csms.simulator.transactions`).

Every background task belongs to the station and ends with :meth:`close`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, overload

import msgspec

from csms.ocpp import CallReceived, ErrorKind, OcppError, OcppVersion, RpcSession, decode, encode
from csms.ocpp.messages import v16
from csms.simulator.answers import Responder
from csms.simulator.config import StationConfig
from csms.simulator.configuration import ConfigurationStore, standard_keys
from csms.simulator.errors import ConnectionLost, SimulatorError
from csms.simulator.link import Endpoint, Link
from csms.simulator.meter import EnergyMeter
from csms.simulator.offline import OfflineQueue
from csms.simulator.registration import Registration
from csms.simulator.scripting import Script, scripted_answer
from csms.simulator.state import Connector, Transaction
from csms.simulator.transactions import Transactions, after_transaction

if TYPE_CHECKING:
    from csms.simulator.scenarios import ScenarioResult

_R = TypeVar("_R", bound=msgspec.Struct)
EventSink = Callable[[str], None]


def utc_now() -> datetime:
    """Now in UTC, to the millisecond (what stations put in timestamps)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class SimulatedStation:
    """One simulated 1.6J charge point. ``on_event`` receives a line per thing it does."""

    def __init__(
        self,
        config: StationConfig,
        *,
        on_event: EventSink | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.config = config
        self.clock = clock
        self._sink = on_event
        self.configuration = ConfigurationStore(
            standard_keys(config.connectors, config.heartbeat_interval, config.meter_interval)
        )
        self.configuration.on_change(self._configuration_changed)
        self._connectors = {
            n: Connector(n, self._new_meter()) for n in range(config.connectors + 1)
        }
        self.registration = Registration(self)
        self.local_list_version = 0
        self.local_list: dict[str, v16.IdTagInfo] = {}
        self.auth_cache: dict[str, v16.IdTagInfo] = {}
        self.diagnostics_status: v16.DiagnosticsStatus = "Idle"
        self.firmware_status: v16.FirmwareStatus = "Idle"
        self.scripts = Script()
        self._responder = Responder(self)
        self._queue = OfflineQueue(self)
        self.transactions = Transactions(self, self._queue)
        self._link: Link | None = None
        self._call_ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._lost = asyncio.Event()
        self._fatal: SimulatorError | None = None
        self._closing = False
        self._stale_status: set[int] = set()

    def _new_meter(self) -> EnergyMeter:
        config = self.config
        return EnergyMeter(config.voltage, config.max_current, time_scale=config.meter_time_scale)

    # -- state -------------------------------------------------------------------------
    @property
    def station_id(self) -> str:
        return self.config.station_id

    @property
    def connected(self) -> bool:
        return self._link is not None and self._link.is_open

    @property
    def connectors(self) -> dict[int, Connector]:
        """Connectors 1..n by id (connector 0, the station itself, is ``connector(0)``)."""
        return {n: c for n, c in self._connectors.items() if n > 0}

    def connector(self, connector_id: int) -> Connector:
        """Connector ``connector_id`` (0 is the station); raises SimulatorError if none."""
        try:
            return self._connectors[connector_id]
        except KeyError:
            raise SimulatorError(f"no connector {connector_id}") from None

    def transaction(self, connector_id: int) -> Transaction | None:
        return self.connector(connector_id).transaction

    @property
    def offline_queue(self) -> list[str]:
        """Transaction messages not yet delivered, oldest first (1.6 §3.4)."""
        return self._queue.actions()

    def now(self) -> float:
        """Seconds on the event loop's monotonic clock (what the meter integrates over)."""
        return asyncio.get_running_loop().time()

    def emit(self, line: str) -> None:
        if self._sink is not None:
            self._sink(line)

    # -- connection --------------------------------------------------------------------
    async def connect(self) -> None:
        """Open the WebSocket (OCPP-J 1.6 §3); raises ConnectFailed.

        After a reconnection of an already accepted station, heartbeats resume, queued
        transaction messages are delivered in order and statuses changed offline are sent.
        """
        if self._closing:
            raise SimulatorError("the station is closed")
        if self.connected:
            return
        endpoint = Endpoint(self.config.url, self.station_id, OcppVersion.V16, self.config.password)
        session = RpcSession(OcppVersion.V16, new_id=lambda: str(next(self._call_ids)))
        self._link = await Link.open(endpoint, session, self._on_call, self._on_closed)
        self._fatal = None
        self._lost.clear()
        self.emit(f"connected to {self.config.url}")
        if self.registration.accepted:
            self.registration.start_heartbeat()
            self.flush()
            self.spawn(self._send_stale_statuses(), "stale statuses")

    async def disconnect(self) -> None:
        """Close the socket but keep every state: the station is offline until ``connect``."""
        link, self._link = self._link, None  # detached first: this loss is expected
        self.registration.stop_heartbeat()
        if link is not None and link.is_open:
            link.close()
            async with asyncio.timeout(5):
                await link.wait_closed()
            self.emit("disconnected")

    async def close(self) -> None:
        """Stop every background task, then disconnect. The station cannot be reused."""
        self._closing = True
        current = asyncio.current_task()
        while tasks := [task for task in self._tasks if task is not current]:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await self.disconnect()

    async def wait_lost(self) -> None:
        """Return never; raise when the connection is lost unexpectedly or a reboot failed."""
        await self._lost.wait()
        raise self._fatal or ConnectionLost("connection lost")

    async def reboot(self, reset_type: v16.ResetType = "Soft") -> None:
        """Reset (1.6 §5.14): stop transactions, disconnect, reconnect, boot and report statuses."""
        reason: v16.Reason = "HardReset" if reset_type == "Hard" else "SoftReset"
        for connector_id, connector in self.connectors.items():
            if connector.transaction is not None and not connector.transaction.stopping:
                await self.stop_transaction(connector_id, reason)
        await self.disconnect()
        self.registration.forget()
        self.emit(f"rebooting ({reset_type} reset)")
        await asyncio.sleep(self.config.action_delay)
        try:
            await self.connect()
            await self.boot()
            await self.send_statuses()
        except SimulatorError as error:
            self.fail(error)
            raise

    def fail(self, error: SimulatorError) -> None:
        """Something the station cannot recover from happened (see :meth:`wait_lost`)."""
        self._fatal = error
        self._lost.set()

    def _on_closed(self, link: Link) -> None:
        if link is not self._link:
            return
        self._link = None
        self.registration.stop_heartbeat()
        self.emit("connection lost")
        self.fail(ConnectionLost("connection lost"))

    # -- calls ------------------------------------------------------------------------------
    @overload
    async def call(self, action: str, request: msgspec.Struct) -> msgspec.Struct: ...
    @overload
    async def call(self, action: str, request: msgspec.Struct, response_type: type[_R]) -> _R: ...
    async def call(
        self, action: str, request: msgspec.Struct, response_type: type[Any] | None = None
    ) -> Any:
        """Send any 1.6 request and return the typed response (raises CallErrorReceived, …)."""
        if response_type is None:
            if action not in v16.RESPONSES:
                raise ValueError(f"{action!r} is not a 1.6 action; use call_raw")
            response_type = v16.RESPONSES[action]
        return await self.typed_call(action, request, response_type)

    async def typed_call(self, action: str, request: msgspec.Struct, response_type: type[_R]) -> _R:
        """Send ``request`` and decode the answer as ``response_type`` (strictly, 1.6 schema)."""
        raw = await self.call_raw(action, encode(request))
        try:
            return decode(raw, response_type)
        except OcppError as error:
            raise SimulatorError(f"{action}: invalid response: {error.description}") from None

    async def call_raw(self, action: str, payload: bytes) -> bytes:
        """Send a CALL with any action and JSON payload; returns the CALLRESULT payload."""
        link = self._link
        if link is None:
            raise ConnectionLost(f"{action}: not connected")
        return bytes(await link.call(action, payload, self.config.call_timeout))

    def send_raw(self, text: str) -> None:
        """Send ``text`` as it is, e.g. a malformed frame."""
        if self._link is None:
            raise ConnectionLost("send_raw: not connected")
        self._link.send_raw(text)

    async def next_raw_reply(self, within: float = 5.0) -> str:
        """The next message from the central system that answers no call of ours."""
        if self._link is None:
            raise ConnectionLost("next_raw_reply: not connected")
        return await self._link.next_raw_reply(within)

    # -- Core profile, station-initiated (1.6 §4) -------------------------------------------
    async def boot(self, *, attempts: int | None = None) -> v16.BootNotificationResponse:
        """BootNotification until Accepted (1.6 §4.2); raises BootRejected after ``attempts``."""
        return await self.registration.boot(attempts)

    async def heartbeat(self) -> v16.HeartbeatResponse:
        """Heartbeat (1.6 §4.6)."""
        response = await self.typed_call("Heartbeat", v16.HeartbeatRequest(), v16.HeartbeatResponse)
        self.emit(f"Heartbeat → {response.current_time.isoformat()}")
        return response

    async def send_status(
        self,
        connector_id: int,
        status: v16.ChargePointStatus,
        error_code: v16.ChargePointErrorCode = "NoError",
    ) -> None:
        """StatusNotification (1.6 §4.9); offline, the status is sent after reconnecting."""
        connector = self.connector(connector_id)
        connector.status, connector.error_code = status, error_code
        if self.connected:
            try:
                await self._send_status(connector)
                return
            except ConnectionLost:
                pass
        self._stale_status.add(connector_id)

    async def _send_status(self, connector: Connector) -> None:
        request = v16.StatusNotificationRequest(
            connector_id=connector.connector_id,
            error_code=connector.error_code,
            status=connector.status,
            timestamp=self.clock(),
        )
        await self.typed_call("StatusNotification", request, v16.StatusNotificationResponse)
        self.emit(f"StatusNotification connector {connector.connector_id}: {connector.status}")

    async def send_statuses(self) -> None:
        """The status of connector 0 and of every connector, as after a boot (1.6 §4.9)."""
        for connector in self._connectors.values():
            await self.send_status(connector.connector_id, connector.status, connector.error_code)

    async def _send_stale_statuses(self) -> None:
        stale, self._stale_status = sorted(self._stale_status), set()
        for connector_id in stale:
            await self._send_status(self.connector(connector_id))

    async def authorize(self, id_tag: str | None = None) -> v16.IdTagInfo:
        """Authorize (1.6 §4.1); offline, the local list and cache decide (§3.5)."""
        tag = id_tag or self.config.id_tag
        if not self.connected:
            info = self._offline_authorization(tag)
            self.emit(f"Authorize {tag} (offline) → {info.status}")
            return info
        request = v16.AuthorizeRequest(id_tag=tag)
        response = await self.typed_call("Authorize", request, v16.AuthorizeResponse)
        self.remember(tag, response.id_tag_info)
        self.emit(f"Authorize {tag} → {response.id_tag_info.status}")
        return response.id_tag_info

    async def send_diagnostics_status(self, status: v16.DiagnosticsStatus) -> None:
        """DiagnosticsStatusNotification (1.6 §4.4)."""
        self.diagnostics_status = status
        request = v16.DiagnosticsStatusNotificationRequest(status=status)
        response_type = v16.DiagnosticsStatusNotificationResponse
        await self.typed_call("DiagnosticsStatusNotification", request, response_type)
        self.emit(f"DiagnosticsStatusNotification: {status}")

    async def send_firmware_status(self, status: v16.FirmwareStatus) -> None:
        """FirmwareStatusNotification (1.6 §4.5)."""
        self.firmware_status = status
        request = v16.FirmwareStatusNotificationRequest(status=status)
        response_type = v16.FirmwareStatusNotificationResponse
        await self.typed_call("FirmwareStatusNotification", request, response_type)
        self.emit(f"FirmwareStatusNotification: {status}")

    def remember(self, tag: str, info: v16.IdTagInfo) -> None:
        """Keep an id tag's status in the authorization cache (1.6 §3.5.1)."""
        if self.configuration.get_bool("AuthorizationCacheEnabled"):
            self.auth_cache[tag] = info

    def _offline_authorization(self, tag: str) -> v16.IdTagInfo:
        known = self.local_list.get(tag) or self.auth_cache.get(tag)
        if known is not None:
            return known
        allowed = self.configuration.get_bool("AllowOfflineTxForUnknownId")
        return v16.IdTagInfo(status="Accepted" if allowed else "Invalid")

    # -- transactions (1.6 §4.7, §4.8, §4.10; see :mod:`.transactions`) -----------------------
    async def start_transaction(
        self,
        connector_id: int,
        id_tag: str | None = None,
        *,
        charging_profile: v16.ChargingProfile | None = None,
    ) -> int:
        """Preparing → StartTransaction → Charging; returns the transaction id.

        Offline the StartTransaction is queued and the id returned is provisional
        (negative) until the central system assigns one. Raises TransactionRejected
        when the central system does not accept the id tag (the transaction is then
        stopped with reason DeAuthorized, 1.6 §4.8).
        """
        tag = id_tag or self.config.id_tag
        return await self.transactions.start(connector_id, tag, charging_profile)

    async def send_meter_values(
        self, connector_id: int, context: v16.ReadingContext = "Sample.Periodic"
    ) -> None:
        """MeterValues with the MeterValuesSampledData measurands (1.6 §4.7, §9.1).

        During a transaction they carry its id and are queued while offline; outside
        one they are sent only when connected.
        """
        await self.transactions.send_meter_values(connector_id, context)

    async def stop_transaction(
        self, connector_id: int, reason: v16.Reason = "Local"
    ) -> v16.StopTransactionResponse | None:
        """Finishing → StopTransaction with meterStop and transactionData → Available.

        Returns the response, or None when the StopTransaction waits in the offline
        queue (1.6 §4.10, §3.4).
        """
        return await self.transactions.stop(connector_id, reason)

    async def wait_meter_values(self, connector_id: int, count: int) -> None:
        """Until the connector's transaction has sent ``count`` MeterValues (or has ended)."""
        await self.transactions.wait_meter_values(connector_id, count)

    @property
    def finished(self) -> list[Transaction]:
        """Stopped transactions, oldest first."""
        return self.transactions.finished

    def after_transaction(self, connector: Connector) -> v16.ChargePointStatus:
        """The status a free connector takes (Available, Reserved or Unavailable)."""
        return after_transaction(connector)

    def apply_limits(self, connector_id: int) -> None:
        """Set the connector's current limit from the charging profiles in force."""
        self.transactions.apply_limits(connector_id)

    # -- the offline queue (1.6 §3.4) -------------------------------------------------------
    def flush(self) -> None:
        """Deliver queued transaction messages now that the station may send them."""
        self._queue.flush()

    def delivered(
        self, request: msgspec.Struct, tx: Transaction | None, response: msgspec.Struct
    ) -> None:
        """A transaction message reached the central system: note what it answered."""
        if isinstance(response, v16.StartTransactionResponse) and tx is not None:
            self.remember(tx.id_tag, response.id_tag_info)
            self.emit(
                f"StartTransaction connector {tx.connector_id} → transaction "
                f"{tx.transaction_id} ({response.id_tag_info.status})"
            )
        elif isinstance(request, v16.StopTransactionRequest) and tx is not None:
            self.emit(
                f"StopTransaction {tx.transaction_id} ({tx.stop_reason}): meterStop "
                f"{tx.meter_stop} Wh, {tx.energy_wh:.3f} Wh delivered"
            )

    def _configuration_changed(self, key: str, value: str) -> None:
        if key == "HeartbeatInterval" and self.registration.accepted and self.connected:
            self.registration.start_heartbeat()
        elif key == "MeterValueSampleInterval":
            self.transactions.restart_meter_loops()

    # -- the central system's calls (1.6 §5) -------------------------------------------------
    def script(
        self,
        action: str,
        *,
        status: str | None = None,
        error: str | ErrorKind | None = None,
        description: str = "",
        response: msgspec.Struct | None = None,
        delay: float = 0.0,
        no_answer: bool = False,
        always: bool = False,
    ) -> None:
        """Override how the next (``always``: every) ``action`` call is answered.

        ``status`` answers with that status and skips the default behaviour; ``error``
        answers with a CALLERROR (e.g. ``"NotSupported"``); ``response`` answers with that
        payload; ``no_answer`` never answers; ``delay`` waits first (alone, it delays the
        default behaviour).
        """
        answer = scripted_answer(
            action,
            status=status,
            error=error,
            description=description,
            response=response,
            delay=delay,
            no_answer=no_answer,
            always=always,
        )
        self.scripts.add(action, answer)

    def _on_call(self, link: Link, event: CallReceived) -> None:
        if not self._closing:
            self.spawn(self._responder.handle(link, event), f"answer {event.action}")

    # -- tasks -----------------------------------------------------------------------------
    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``work`` as a task the station owns: cancelled by ``close``, failures reported."""
        task = asyncio.create_task(work, name=f"{self.station_id}: {name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            self.emit(f"{task.get_name()} failed: {error!r}")

    async def run_scenario(self, name: str) -> ScenarioResult:
        """Run a named scenario (``boot``, ``charge``, ``idle``); see :mod:`.scenarios`."""
        from csms.simulator.scenarios import run_scenario

        return await run_scenario(self, name)

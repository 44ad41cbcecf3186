"""Registration and heartbeat (OCPP 1.6 §4.2 BootNotification, §4.6 Heartbeat).

A station sends BootNotification until the central system accepts it. ``Pending`` and
``Rejected`` carry an ``interval``: the time to wait before trying again (§4.2; a
rejected station must not send anything else meanwhile). Once ``Accepted``, the
station heartbeats every ``interval`` seconds (stored as HeartbeatInterval, §9.1) and
may send everything else, starting with what its offline queue holds.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from csms.ocpp.messages import v16
from csms.simulator.errors import BootRejected, SimulatorError

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation

DEFAULT_RETRY_INTERVAL = 10.0  # when the central system answers Pending/Rejected with interval 0


class Registration:
    """The station's registration status and its heartbeat task."""

    def __init__(self, station: SimulatedStation) -> None:
        self._station = station
        self.status: v16.RegistrationStatus | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    @property
    def accepted(self) -> bool:
        return self.status == "Accepted"

    def forget(self) -> None:
        """After a reboot the station must register again."""
        self.status = None
        self.stop_heartbeat()

    def request(self) -> v16.BootNotificationRequest:
        config = self._station.config
        return v16.BootNotificationRequest(
            charge_point_vendor=config.vendor,
            charge_point_model=config.model,
            charge_point_serial_number=config.serial_number or config.station_id[:25],
            firmware_version=config.firmware_version,
        )

    async def boot(self, attempts: int | None = None) -> v16.BootNotificationResponse:
        """BootNotification until Accepted; raises BootRejected after ``attempts`` (0: forever)."""
        station = self._station
        limit = station.config.boot_attempts if attempts is None else attempts
        for attempt in range(1, limit + 1) if limit else _forever():
            response = await station.typed_call(
                "BootNotification", self.request(), v16.BootNotificationResponse
            )
            self.status = response.status
            station.emit(f"BootNotification → {response.status}, interval {response.interval} s")
            if response.status == "Accepted":
                self._accepted(response.interval)
                return response
            if limit and attempt >= limit:
                break
            await asyncio.sleep(self._retry_wait(response.interval))
        raise BootRejected(self.status or "no answer")

    def _accepted(self, interval: int) -> None:
        if interval > 0:
            self._station.configuration.set("HeartbeatInterval", str(interval))
        self.start_heartbeat()
        self._station.flush()

    def _retry_wait(self, interval: int) -> float:
        configured = self._station.config.boot_retry_interval
        if configured is not None:
            return configured
        return float(interval) if interval > 0 else DEFAULT_RETRY_INTERVAL

    def start_heartbeat(self) -> None:
        """(Re)start heartbeating every HeartbeatInterval seconds (0 turns it off)."""
        self.stop_heartbeat()
        interval = float(self._station.configuration.value("HeartbeatInterval"))
        if interval > 0:
            self._heartbeat = self._station.spawn(self._beat(interval), "heartbeat")

    def stop_heartbeat(self) -> None:
        task, self._heartbeat = self._heartbeat, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _beat(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self._station.heartbeat()
            except SimulatorError as error:
                self._station.emit(f"Heartbeat failed: {error}")


def _forever() -> range:
    return range(1, 2**62)

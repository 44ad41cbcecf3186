"""Transactions from the station's side (OCPP 1.6 §4.7 MeterValues, §4.8 StartTransaction,
§4.10 StopTransaction, §4.9 the status transitions around them).

A connector goes Available → Preparing → Charging → Finishing → Available. While it
charges, the meter is sampled every MeterValueSampleInterval seconds. Every
transaction message goes through the offline queue so that none is lost or reordered.
The public entry points are the :class:`~csms.simulator.station.SimulatedStation`
methods of the same names.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, NoReturn

import msgspec

from csms.ocpp.messages import v16
from csms.simulator import profiles, samples
from csms.simulator.errors import SimulatorError, TransactionRejected
from csms.simulator.offline import OfflineQueue
from csms.simulator.state import Connector, Transaction

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation


class Transactions:
    """Starts, samples and stops the station's transactions."""

    def __init__(self, station: SimulatedStation, queue: OfflineQueue) -> None:
        self._station = station
        self._queue = queue
        self.finished: list[Transaction] = []
        self._provisional_ids = itertools.count(-1, -1)
        self._meter_tasks: dict[int, asyncio.Task[None]] = {}
        self._changed = asyncio.Event()

    async def start(
        self, connector_id: int, tag: str, charging_profile: v16.ChargingProfile | None
    ) -> int:
        station = self._station
        connector = station.connector(connector_id)
        if connector_id == 0 or connector.transaction is not None or not connector.operative:
            raise SimulatorError(f"connector {connector_id} cannot start a transaction")
        reservation_id = _use_reservation(connector, tag)
        connector.claimed = False
        if connector.status != "Preparing":
            await station.send_status(connector_id, "Preparing")
        tx = Transaction(
            connector_id=connector_id,
            id_tag=tag,
            meter_start=connector.meter.meter_value_wh(station.now()),
            started_at=station.clock(),
            transaction_id=next(self._provisional_ids),
            reservation_id=reservation_id,
            charging_profile=charging_profile,
            meter_start_wh=connector.meter.register_wh,
        )
        connector.transaction = tx
        if charging_profile is not None:
            connector.profiles[charging_profile.charging_profile_id] = charging_profile
        request = v16.StartTransactionRequest(
            connector_id=connector_id,
            id_tag=tag,
            meter_start=tx.meter_start,
            timestamp=tx.started_at,
            reservation_id=msgspec.UNSET if reservation_id is None else reservation_id,
        )
        response = await self._queue.submit(request, tx)
        if isinstance(response, v16.StartTransactionResponse):
            status = response.id_tag_info.status
        else:
            status = "Accepted"  # queued offline: the station charges meanwhile (§3.4)
        if status != "Accepted":
            await self._refuse(connector_id, tag, status)
        connector.meter.start(station.now())
        self.apply_limits(connector_id)
        await station.send_status(connector_id, "Charging")
        self.start_meter_loop(connector_id)
        return tx.transaction_id

    async def _refuse(self, connector_id: int, tag: str, status: str) -> NoReturn:
        """The id tag was not accepted at start (1.6 §4.8, StopTransactionOnInvalidId)."""
        station = self._station
        if station.configuration.get_bool("StopTransactionOnInvalidId"):
            await self.stop(connector_id, "DeAuthorized")
        else:
            station.connector(connector_id).transaction = None
            await station.send_status(connector_id, "Available")
        raise TransactionRejected(tag, status)

    async def send_meter_values(self, connector_id: int, context: v16.ReadingContext) -> None:
        station = self._station
        connector = station.connector(connector_id)
        reading = connector.meter.read(station.now())
        measurands = station.configuration.get_list("MeterValuesSampledData")
        value = samples.meter_value(station.clock(), reading, measurands, context)
        if value is None:
            return
        tx = connector.transaction
        request = v16.MeterValuesRequest(
            connector_id=connector_id,
            transaction_id=msgspec.UNSET if tx is None else tx.transaction_id,
            meter_value=[value],
        )
        station.emit(
            f"MeterValues connector {connector_id}: {reading.voltage:.1f} V, "
            f"{reading.current_import:.1f} A, {reading.power_active_import:.0f} W, "
            f"{reading.energy_active_import_register:.3f} Wh"
        )
        if tx is None:
            if station.connected:
                await station.typed_call("MeterValues", request, v16.MeterValuesResponse)
            return
        tx.meter_values_sent += 1
        self._changed.set()
        await self._queue.submit(request, tx)

    async def stop(
        self, connector_id: int, reason: v16.Reason
    ) -> v16.StopTransactionResponse | None:
        station = self._station
        connector = station.connector(connector_id)
        tx = connector.transaction
        if tx is None or tx.stopping:
            raise SimulatorError(f"no transaction to stop on connector {connector_id}")
        tx.stopping = True
        self.stop_meter_loop(connector_id)
        request = self._stop_request(connector, tx, reason)
        connector.transaction = None
        self.finished.append(tx)
        _drop_tx_profiles(connector, station.now())
        await self._queue.drain()  # the last MeterValues go before Finishing
        await station.send_status(connector_id, "Finishing")
        response = await self._queue.submit(request, tx)
        await station.send_status(connector_id, after_transaction(connector))
        self._changed.set()
        return response if isinstance(response, v16.StopTransactionResponse) else None

    def _stop_request(
        self, connector: Connector, tx: Transaction, reason: v16.Reason
    ) -> v16.StopTransactionRequest:
        """meterStop and transactionData from one final reading (1.6 §6.49)."""
        station = self._station
        timestamp, now = station.clock(), station.now()
        connector.meter.stop(now)
        reading = connector.meter.read(now)
        tx.meter_stop = int(reading.energy_active_import_register)
        tx.energy_wh = reading.energy_active_import_register - tx.meter_start_wh
        tx.stop_reason = reason
        measurands = station.configuration.get_list("StopTxnSampledData")
        data = samples.transaction_data(timestamp, reading, measurands)
        return v16.StopTransactionRequest(
            id_tag=tx.id_tag,
            meter_stop=tx.meter_stop,
            timestamp=timestamp,
            transaction_id=tx.transaction_id,
            reason=reason,
            transaction_data=data or msgspec.UNSET,
        )

    async def wait_meter_values(self, connector_id: int, count: int) -> None:
        while True:
            tx = self._station.transaction(connector_id)
            if tx is None or tx.meter_values_sent >= count:
                return
            self._changed.clear()
            await self._changed.wait()

    # -- periodic sampling -----------------------------------------------------------------
    def start_meter_loop(self, connector_id: int) -> None:
        """Sample every MeterValueSampleInterval seconds while the transaction lasts (0: off)."""
        self.stop_meter_loop(connector_id)
        station = self._station
        interval = float(station.configuration.value("MeterValueSampleInterval"))
        if interval > 0 and station.transaction(connector_id) is not None:
            work = self._meter_loop(connector_id, interval)
            self._meter_tasks[connector_id] = station.spawn(work, f"meter {connector_id}")

    def restart_meter_loops(self) -> None:
        """MeterValueSampleInterval changed: the new interval applies at once."""
        for connector_id in list(self._meter_tasks):
            self.start_meter_loop(connector_id)

    def stop_meter_loop(self, connector_id: int) -> None:
        task = self._meter_tasks.pop(connector_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _meter_loop(self, connector_id: int, interval: float) -> None:
        station = self._station
        while station.transaction(connector_id) is not None:
            await asyncio.sleep(interval)
            try:
                await self.send_meter_values(connector_id, "Sample.Periodic")
            except SimulatorError as error:
                station.emit(f"MeterValues connector {connector_id} failed: {error}")

    def apply_limits(self, connector_id: int) -> None:
        """Set the connector's current limit from the charging profiles in force (§3.13)."""
        station = self._station
        connector = station.connector(connector_id)
        limit = profiles.effective_limit(
            connector.profiles.values(),
            station.connector(0).profiles.values(),
            connector.meter.voltage,
            connector.transaction is not None,
        )
        connector.meter.limit(limit, station.now())


def after_transaction(connector: Connector) -> v16.ChargePointStatus:
    """The status a connector takes when free again; applies a Scheduled availability (§5.2)."""
    if connector.scheduled_operative is not None:
        connector.operative, connector.scheduled_operative = connector.scheduled_operative, None
    if not connector.operative:
        return "Unavailable"
    return "Reserved" if connector.reservation is not None else "Available"


def _use_reservation(connector: Connector, tag: str) -> int | None:
    """A reservation for ``tag`` (or its parent) is used up by the transaction (§5.13)."""
    reservation = connector.reservation
    if reservation is None:
        return None
    if tag not in (reservation.id_tag, reservation.parent_id_tag):
        raise SimulatorError(f"connector {connector.connector_id} is reserved for another tag")
    connector.reservation = None
    return reservation.reservation_id


def _drop_tx_profiles(connector: Connector, now: float) -> None:
    """TxProfiles end with their transaction (1.6 §3.13.2)."""
    for profile_id, profile in list(connector.profiles.items()):
        if profile.charging_profile_purpose == "TxProfile":
            del connector.profiles[profile_id]
    connector.meter.limit(None, now)

"""Core profile calls from the central system (OCPP 1.6 §5.2–§5.4, §5.6, §5.8, §5.11, §5.12,
§5.14, §5.18)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from csms.ocpp.messages import v16
from csms.simulator.answers.common import Answer, answer, valid_connector
from csms.simulator.errors import TransactionRejected
from csms.simulator.state import Connector

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation


def remote_start_transaction(
    station: SimulatedStation, request: v16.RemoteStartTransactionRequest
) -> Answer:
    """Accepted when a connector is free, then Authorize (if configured) and start (§5.11).

    A charging profile must be a TxProfile; it is kept with the transaction.
    """
    profile = request.charging_profile or None
    wanted = None if request.connector_id is msgspec.UNSET else request.connector_id
    connector = _free_connector(station, wanted, request.id_tag)
    if connector is None or (profile and profile.charging_profile_purpose != "TxProfile"):
        return answer(v16.RemoteStartTransactionResponse(status="Rejected"))
    connector.claimed = True
    connector_id, tag = connector.connector_id, request.id_tag

    async def start() -> None:
        try:
            check = station.configuration.get_bool("AuthorizeRemoteTxRequests")
            if check and (await station.authorize(tag)).status != "Accepted":
                return
            await station.start_transaction(connector_id, tag, charging_profile=profile)
        except TransactionRejected as refused:
            station.emit(f"remote start refused: {refused}")
        finally:
            station.connector(connector_id).claimed = False

    return answer(v16.RemoteStartTransactionResponse(status="Accepted"), start)


def _free_connector(
    station: SimulatedStation, connector_id: int | None, tag: str
) -> Connector | None:
    """The connector asked for, or the first free one; one reserved for ``tag`` counts."""
    if connector_id is not None and not valid_connector(station, connector_id, zero=False):
        return None
    candidates = (
        [station.connector(connector_id)]
        if connector_id is not None
        else list(station.connectors.values())
    )
    for connector in candidates:
        reservation = connector.reservation
        mine = reservation is not None and tag in (reservation.id_tag, reservation.parent_id_tag)
        if connector.is_free or (mine and connector.operative and connector.transaction is None):
            return connector
    return None


def remote_stop_transaction(
    station: SimulatedStation, request: v16.RemoteStopTransactionRequest
) -> Answer:
    """Accepted if the transaction is active here, then stop it with reason Remote (§5.12)."""
    for connector_id, connector in station.connectors.items():
        tx = connector.transaction
        if tx is not None and tx.transaction_id == request.transaction_id and not tx.stopping:

            async def stop(connector_id: int = connector_id) -> None:
                await station.stop_transaction(connector_id, "Remote")

            return answer(v16.RemoteStopTransactionResponse(status="Accepted"), stop)
    return answer(v16.RemoteStopTransactionResponse(status="Rejected"))


def reset(station: SimulatedStation, request: v16.ResetRequest) -> Answer:
    """Accepted, then stop transactions, reconnect and boot again (§5.14)."""

    async def reboot() -> None:
        await station.reboot(request.type)

    return answer(v16.ResetResponse(status="Accepted"), reboot)


def unlock_connector(station: SimulatedStation, request: v16.UnlockConnectorRequest) -> Answer:
    """Unlocked; a transaction there is stopped first, reason UnlockCommand (§5.18)."""
    connector_id = request.connector_id
    if not valid_connector(station, connector_id, zero=False):
        return answer(v16.UnlockConnectorResponse(status="NotSupported"))
    tx = station.transaction(connector_id)
    if tx is None or tx.stopping:
        return answer(v16.UnlockConnectorResponse(status="Unlocked"))

    async def stop() -> None:
        await station.stop_transaction(connector_id, "UnlockCommand")

    return answer(v16.UnlockConnectorResponse(status="Unlocked"), stop)


def change_availability(
    station: SimulatedStation, request: v16.ChangeAvailabilityRequest
) -> Answer:
    """Accepted, or Scheduled where a transaction runs; the new statuses follow (§5.2)."""
    if not valid_connector(station, request.connector_id):
        return answer(v16.ChangeAvailabilityResponse(status="Rejected"))
    operative = request.type == "Operative"
    ids = [request.connector_id] if request.connector_id else [0, *station.connectors]
    changed, scheduled = [], False
    for connector_id in ids:
        connector = station.connector(connector_id)
        if connector.transaction is not None and connector.operative != operative:
            connector.scheduled_operative, scheduled = operative, True
        elif connector.operative != operative:
            connector.operative = operative
            changed.append(connector_id)

    async def report() -> None:
        for connector_id in changed:
            status = station.after_transaction(station.connector(connector_id))
            await station.send_status(connector_id, status)

    status: v16.AvailabilityStatus = "Scheduled" if scheduled else "Accepted"
    return answer(v16.ChangeAvailabilityResponse(status=status), report if changed else None)


def change_configuration(
    station: SimulatedStation, request: v16.ChangeConfigurationRequest
) -> Answer:
    """The key store decides: Accepted, Rejected or NotSupported (§5.3)."""
    status = station.configuration.change(request.key, request.value)
    return answer(v16.ChangeConfigurationResponse(status=status))


def get_configuration(station: SimulatedStation, request: v16.GetConfigurationRequest) -> Answer:
    """The keys asked for (all when none), and the unknown ones (§5.8)."""
    known, unknown = station.configuration.lookup(request.key or None)
    keys = [v16.KeyValue(key=k.name, readonly=k.readonly, value=k.value) for k in known]
    response = v16.GetConfigurationResponse(
        configuration_key=keys or msgspec.UNSET, unknown_key=unknown or msgspec.UNSET
    )
    return Answer(response, f"{len(keys)} keys, {len(unknown)} unknown")


def clear_cache(station: SimulatedStation, request: v16.ClearCacheRequest) -> Answer:
    """Empty the authorization cache (§5.4)."""
    station.auth_cache.clear()
    return answer(v16.ClearCacheResponse(status="Accepted"))


def data_transfer(station: SimulatedStation, request: v16.DataTransferRequest) -> Answer:
    """No vendor extensions here: UnknownVendorId (§5.6)."""
    return answer(v16.DataTransferResponse(status="UnknownVendorId"))


def trigger_message(station: SimulatedStation, request: v16.TriggerMessageRequest) -> Answer:
    """Accepted, then send the requested message (Remote Trigger profile, §5.17)."""
    connector_id = None if request.connector_id is msgspec.UNSET else request.connector_id
    if connector_id is not None and not valid_connector(station, connector_id):
        return answer(v16.TriggerMessageResponse(status="Rejected"))
    message = request.requested_message

    async def send() -> None:
        if message == "BootNotification":
            await station.boot()
        elif message == "Heartbeat":
            await station.heartbeat()
        elif message == "StatusNotification":
            for n in [connector_id] if connector_id is not None else [0, *station.connectors]:
                connector = station.connector(n)
                await station.send_status(n, connector.status, connector.error_code)
        elif message == "MeterValues":
            for n in [connector_id] if connector_id else list(station.connectors):
                await station.send_meter_values(n, "Trigger")
        elif message == "DiagnosticsStatusNotification":
            await station.send_diagnostics_status(station.diagnostics_status)
        else:
            await station.send_firmware_status(station.firmware_status)

    return answer(v16.TriggerMessageResponse(status="Accepted"), send)

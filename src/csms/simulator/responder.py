"""How the station answers the central system's calls, as a real 1.6 station does (OCPP 1.6 §5).

One method per action, each returning an :class:`Answer`: the response to send and,
where the spec has the station act after answering, a follow-up (``then``) that the
station runs once the response is out, e.g. RemoteStartTransaction.conf ``Accepted``
and then the StartTransaction it promised. An action outside the 1.6 tables is
answered ``NotImplemented``; a 1.6 action the station does not handle (a station-to-CSMS
message, the security extension) ``NotSupported``; a payload that fails the schema gets
the matching ``*Violation`` (OCPP-J 1.6 §4.2.3).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from csms.ocpp import CallReceived, ErrorKind, OcppError, decode
from csms.ocpp.messages import v16
from csms.simulator import smart_charging
from csms.simulator.errors import TransactionRejected
from csms.simulator.scripting import ScriptedAnswer
from csms.simulator.state import Connector, Reservation

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation

FollowUp = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Answer:
    """The response to send, a word for the event log, and what to do afterwards."""

    response: msgspec.Struct
    summary: str
    then: FollowUp | None = None


def _status(response: msgspec.Struct) -> str:
    return str(getattr(response, "status", "answered"))


def _answer(response: msgspec.Struct, then: FollowUp | None = None) -> Answer:
    return Answer(response, _status(response), then)


class Responder:
    """The station's handlers for central-system-initiated calls, one per 1.6 action."""

    def __init__(self, station: SimulatedStation) -> None:
        self._station = station
        self._routes: dict[str, Callable[[Any], Answer]] = {
            "CancelReservation": self.cancel_reservation,
            "ChangeAvailability": self.change_availability,
            "ChangeConfiguration": self.change_configuration,
            "ClearCache": self.clear_cache,
            "ClearChargingProfile": self.clear_charging_profile,
            "DataTransfer": self.data_transfer,
            "GetCompositeSchedule": self.get_composite_schedule,
            "GetConfiguration": self.get_configuration,
            "GetDiagnostics": self.get_diagnostics,
            "GetLocalListVersion": self.get_local_list_version,
            "RemoteStartTransaction": self.remote_start_transaction,
            "RemoteStopTransaction": self.remote_stop_transaction,
            "ReserveNow": self.reserve_now,
            "Reset": self.reset,
            "SendLocalList": self.send_local_list,
            "SetChargingProfile": self.set_charging_profile,
            "TriggerMessage": self.trigger_message,
            "UnlockConnector": self.unlock_connector,
            "UpdateFirmware": self.update_firmware,
        }

    def answer(self, event: CallReceived, scripted: ScriptedAnswer | None) -> Answer:
        """The answer to one call; raises OcppError when it must be a CALLERROR."""
        request_type = v16.REQUESTS.get(event.action)
        if request_type is None:
            raise OcppError(ErrorKind.NOT_IMPLEMENTED, f"unknown action {event.action}")
        request = decode(event.payload, request_type)
        if scripted is not None and scripted.response is not None:
            return Answer(scripted.response, "scripted response")
        if scripted is not None and scripted.status is not None:
            response = msgspec.convert({"status": scripted.status}, v16.RESPONSES[event.action])
            return Answer(response, f"{scripted.status} (scripted)")
        handler = self._routes.get(event.action)
        if handler is None:
            raise OcppError(ErrorKind.NOT_SUPPORTED, f"{event.action} is not supported")
        return handler(request)

    def _valid(self, connector_id: int, *, zero: bool = True) -> bool:
        lowest = 0 if zero else 1
        return lowest <= connector_id <= self._station.config.connectors

    # -- remote control (1.6 §5.11, §5.12, §5.14, §5.18) -------------------------------------
    def remote_start_transaction(self, request: v16.RemoteStartTransactionRequest) -> Answer:
        """Accepted when a connector is free, then Authorize (if configured) and start (§5.11)."""
        profile = request.charging_profile or None
        wanted = None if request.connector_id is msgspec.UNSET else request.connector_id
        connector = self._free_connector(wanted, request.id_tag)
        if connector is None or (profile and profile.charging_profile_purpose != "TxProfile"):
            return _answer(v16.RemoteStartTransactionResponse(status="Rejected"))
        connector.claimed = True
        connector_id, tag = connector.connector_id, request.id_tag

        async def start() -> None:
            station = self._station
            try:
                check = station.configuration.get_bool("AuthorizeRemoteTxRequests")
                if check and (await station.authorize(tag)).status != "Accepted":
                    return
                await station.start_transaction(connector_id, tag, charging_profile=profile)
            except TransactionRejected as refused:
                station.emit(f"remote start refused: {refused}")
            finally:
                station.connector(connector_id).claimed = False

        return _answer(v16.RemoteStartTransactionResponse(status="Accepted"), start)

    def _free_connector(self, connector_id: int | None, tag: str) -> Connector | None:
        station = self._station
        if connector_id is not None and not self._valid(connector_id, zero=False):
            return None
        candidates = (
            [station.connector(connector_id)]
            if connector_id is not None
            else list(station.connectors.values())
        )
        for connector in candidates:
            reservation = connector.reservation
            mine = reservation is not None and tag in (
                reservation.id_tag,
                reservation.parent_id_tag,
            )
            if connector.is_free or (
                mine and connector.operative and connector.transaction is None
            ):
                return connector
        return None

    def remote_stop_transaction(self, request: v16.RemoteStopTransactionRequest) -> Answer:
        """Accepted if the transaction is active here, then stop it with reason Remote (§5.12)."""
        for connector_id, connector in self._station.connectors.items():
            tx = connector.transaction
            if tx is not None and tx.transaction_id == request.transaction_id and not tx.stopping:

                async def stop(connector_id: int = connector_id) -> None:
                    await self._station.stop_transaction(connector_id, "Remote")

                return _answer(v16.RemoteStopTransactionResponse(status="Accepted"), stop)
        return _answer(v16.RemoteStopTransactionResponse(status="Rejected"))

    def reset(self, request: v16.ResetRequest) -> Answer:
        """Accepted, then stop transactions, reconnect and boot again (§5.14)."""

        async def reboot() -> None:
            await self._station.reboot(request.type)

        return _answer(v16.ResetResponse(status="Accepted"), reboot)

    def unlock_connector(self, request: v16.UnlockConnectorRequest) -> Answer:
        """Unlocked; a transaction there is stopped first, reason UnlockCommand (§5.18)."""
        if not self._valid(request.connector_id, zero=False):
            return _answer(v16.UnlockConnectorResponse(status="NotSupported"))
        connector_id = request.connector_id
        tx = self._station.transaction(connector_id)
        if tx is None or tx.stopping:
            return _answer(v16.UnlockConnectorResponse(status="Unlocked"))

        async def stop() -> None:
            await self._station.stop_transaction(connector_id, "UnlockCommand")

        return _answer(v16.UnlockConnectorResponse(status="Unlocked"), stop)

    # -- availability and configuration (1.6 §5.2, §5.3, §5.4, §5.8) ------------------------
    def change_availability(self, request: v16.ChangeAvailabilityRequest) -> Answer:
        """Accepted, or Scheduled where a transaction runs; statuses follow (§5.2)."""
        station = self._station
        if not self._valid(request.connector_id):
            return _answer(v16.ChangeAvailabilityResponse(status="Rejected"))
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
                connector = station.connector(connector_id)
                await station.send_status(connector_id, station.after_transaction(connector))

        status: v16.AvailabilityStatus = "Scheduled" if scheduled else "Accepted"
        return _answer(v16.ChangeAvailabilityResponse(status=status), report if changed else None)

    def change_configuration(self, request: v16.ChangeConfigurationRequest) -> Answer:
        """The key store decides: Accepted, Rejected or NotSupported (§5.3)."""
        status = self._station.configuration.change(request.key, request.value)
        return _answer(v16.ChangeConfigurationResponse(status=status))

    def get_configuration(self, request: v16.GetConfigurationRequest) -> Answer:
        """The keys asked for (all when none), and the unknown ones (§5.8)."""
        names = request.key or None
        known, unknown = self._station.configuration.lookup(names)
        keys = [v16.KeyValue(key=k.name, readonly=k.readonly, value=k.value) for k in known]
        response = v16.GetConfigurationResponse(
            configuration_key=keys or msgspec.UNSET, unknown_key=unknown or msgspec.UNSET
        )
        return Answer(response, f"{len(keys)} keys, {len(unknown)} unknown")

    def clear_cache(self, request: v16.ClearCacheRequest) -> Answer:
        """Empty the authorization cache (§5.4)."""
        self._station.auth_cache.clear()
        return _answer(v16.ClearCacheResponse(status="Accepted"))

    def data_transfer(self, request: v16.DataTransferRequest) -> Answer:
        """No vendor extensions here: UnknownVendorId (§5.6)."""
        return _answer(v16.DataTransferResponse(status="UnknownVendorId"))

    # -- remote trigger (1.6 §5.17) ----------------------------------------------------------
    def trigger_message(self, request: v16.TriggerMessageRequest) -> Answer:
        """Accepted, then send the requested message (§5.17)."""
        station = self._station
        connector_id = None if request.connector_id is msgspec.UNSET else request.connector_id
        if connector_id is not None and not self._valid(connector_id):
            return _answer(v16.TriggerMessageResponse(status="Rejected"))
        ids = [connector_id] if connector_id else list(station.connectors)
        message = request.requested_message

        async def send() -> None:
            if message == "BootNotification":
                await station.boot()
            elif message == "Heartbeat":
                await station.heartbeat()
            elif message == "StatusNotification":
                for n in [connector_id] if connector_id is not None else [0, *ids]:
                    connector = station.connector(n)
                    await station.send_status(n, connector.status, connector.error_code)
            elif message == "MeterValues":
                for n in ids:
                    await station.send_meter_values(n, "Trigger")
            elif message == "DiagnosticsStatusNotification":
                await self._diagnostics(station.diagnostics_status)
            else:
                await self._firmware(station.firmware_status)

        return _answer(v16.TriggerMessageResponse(status="Accepted"), send)

    # -- firmware management (1.6 §5.9, §5.19) ------------------------------------------------
    def get_diagnostics(self, request: v16.GetDiagnosticsRequest) -> Answer:
        """A file name, then DiagnosticsStatusNotification Uploading, Uploaded (§5.9)."""
        station = self._station
        name = f"diagnostics-{station.station_id}-{station.clock():%Y%m%dT%H%M%S}.log"[:255]

        async def upload() -> None:
            await self._diagnostics("Uploading")
            await asyncio.sleep(station.config.action_delay)
            await self._diagnostics("Uploaded")

        return Answer(v16.GetDiagnosticsResponse(file_name=name), name, upload)

    def update_firmware(self, request: v16.UpdateFirmwareRequest) -> Answer:
        """At retrieveDate: Downloading, Downloaded, Installing, Installed (§5.19)."""
        station = self._station
        retrieve = request.retrieve_date

        async def install() -> None:
            await asyncio.sleep(_seconds_until(retrieve, station.clock()))
            for status in ("Downloading", "Downloaded", "Installing", "Installed"):
                await self._firmware(status)
                await asyncio.sleep(station.config.action_delay)

        return Answer(v16.UpdateFirmwareResponse(), "answered", install)

    async def _diagnostics(self, status: v16.DiagnosticsStatus) -> None:
        self._station.diagnostics_status = status
        request = v16.DiagnosticsStatusNotificationRequest(status=status)
        response_type = v16.DiagnosticsStatusNotificationResponse
        await self._station.typed_call("DiagnosticsStatusNotification", request, response_type)
        self._station.emit(f"DiagnosticsStatusNotification: {status}")

    async def _firmware(self, status: v16.FirmwareStatus) -> None:
        self._station.firmware_status = status
        request = v16.FirmwareStatusNotificationRequest(status=status)
        response_type = v16.FirmwareStatusNotificationResponse
        await self._station.typed_call("FirmwareStatusNotification", request, response_type)
        self._station.emit(f"FirmwareStatusNotification: {status}")

    # -- reservation (1.6 §5.13, §5.1) ---------------------------------------------------------
    def reserve_now(self, request: v16.ReserveNowRequest) -> Answer:
        """Accepted on a free connector, then status Reserved until expiry or use (§5.13)."""
        station = self._station
        status = self._reservation_status(request)
        if status != "Accepted":
            return _answer(v16.ReserveNowResponse(status=status))
        for connector in station.connectors.values():  # a known reservationId is replaced
            if (
                connector.reservation
                and connector.reservation.reservation_id == request.reservation_id
            ):
                connector.reservation = None
        connector = station.connector(request.connector_id)
        reservation = Reservation(
            request.reservation_id,
            request.connector_id,
            request.id_tag,
            request.expiry_date,
            request.parent_id_tag or None,
        )
        connector.reservation = reservation

        async def reserve() -> None:
            await station.send_status(connector.connector_id, "Reserved")
            station.spawn(self._expire(connector, reservation), "reservation expiry")

        return _answer(v16.ReserveNowResponse(status="Accepted"), reserve)

    def _reservation_status(self, request: v16.ReserveNowRequest) -> v16.ReservationStatus:
        if not self._valid(request.connector_id, zero=False):
            return "Rejected"  # ReserveConnectorZeroSupported is false
        connector = self._station.connector(request.connector_id)
        reservation = connector.reservation
        if connector.status == "Faulted":
            return "Faulted"
        if not connector.operative:
            return "Unavailable"
        if reservation is not None and reservation.reservation_id == request.reservation_id:
            return "Accepted"
        if connector.transaction is not None or reservation is not None or connector.claimed:
            return "Occupied"
        return "Accepted"

    async def _expire(self, connector: Connector, reservation: Reservation) -> None:
        await asyncio.sleep(_seconds_until(reservation.expiry, self._station.clock()))
        if connector.reservation is reservation:
            connector.reservation = None
            if connector.transaction is None:
                await self._station.send_status(connector.connector_id, "Available")

    def cancel_reservation(self, request: v16.CancelReservationRequest) -> Answer:
        """Accepted for a known reservation, which ends; Rejected otherwise (§5.1)."""
        for connector in self._station.connectors.values():
            reservation = connector.reservation
            if reservation is not None and reservation.reservation_id == request.reservation_id:
                connector.reservation = None

                async def release(connector: Connector = connector) -> None:
                    if connector.transaction is None:
                        status = self._station.after_transaction(connector)
                        await self._station.send_status(connector.connector_id, status)

                return _answer(v16.CancelReservationResponse(status="Accepted"), release)
        return _answer(v16.CancelReservationResponse(status="Rejected"))

    # -- smart charging (1.6 §5.16, §5.5, §5.7) ------------------------------------------------
    def set_charging_profile(self, request: v16.SetChargingProfileRequest) -> Answer:
        """Store the profile where the spec allows it and apply its limit (§5.16)."""
        station = self._station
        profile, connector_id = request.cs_charging_profiles, request.connector_id
        if not self._profile_allowed(connector_id, profile):
            return _answer(v16.SetChargingProfileResponse(status="Rejected"))
        profiles = station.connector(connector_id).profiles
        for profile_id, old in list(profiles.items()):  # same id, or same purpose and level
            same_slot = (old.stack_level, old.charging_profile_purpose) == (
                profile.stack_level,
                profile.charging_profile_purpose,
            )
            if profile_id == profile.charging_profile_id or same_slot:
                del profiles[profile_id]
        profiles[profile.charging_profile_id] = profile
        self._apply_limits()
        return _answer(v16.SetChargingProfileResponse(status="Accepted"))

    def _profile_allowed(self, connector_id: int, profile: v16.ChargingProfile) -> bool:
        if not self._valid(connector_id):
            return False
        purpose = profile.charging_profile_purpose
        if purpose == "ChargePointMaxProfile":
            return connector_id == 0
        if purpose == "TxProfile":
            tx = self._station.transaction(connector_id) if connector_id else None
            wanted = profile.transaction_id
            return tx is not None and wanted in (msgspec.UNSET, tx.transaction_id)
        return True

    def clear_charging_profile(self, request: v16.ClearChargingProfileRequest) -> Answer:
        """Remove matching profiles: Accepted if any, else Unknown (§5.5)."""
        station = self._station
        ids = [0, *station.connectors]
        if request.connector_id is not msgspec.UNSET:
            ids = [request.connector_id] if self._valid(request.connector_id) else []
        removed = False
        for connector_id in ids:
            profiles = station.connector(connector_id).profiles
            for profile_id, profile in list(profiles.items()):
                if _matches(request, profile_id, profile):
                    del profiles[profile_id]
                    removed = True
        self._apply_limits()
        status: v16.ClearChargingProfileStatus = "Accepted" if removed else "Unknown"
        return _answer(v16.ClearChargingProfileResponse(status=status))

    def get_composite_schedule(self, request: v16.GetCompositeScheduleRequest) -> Answer:
        """One period at the limit in force over ``duration`` (§5.7)."""
        station = self._station
        if not self._valid(request.connector_id):
            return _answer(v16.GetCompositeScheduleResponse(status="Rejected"))
        connector = station.connector(request.connector_id)
        meter = connector.meter
        limit = smart_charging.effective_limit(
            connector.profiles.values(),
            station.connector(0).profiles.values(),
            meter.voltage,
            connector.transaction is not None,
        )
        unit = request.charging_rate_unit or "A"
        response = smart_charging.composite_schedule(
            request.connector_id,
            request.duration,
            unit,
            meter.max_current if limit is None else min(limit, meter.max_current),
            meter.voltage,
            station.clock(),
        )
        return _answer(response)

    def _apply_limits(self) -> None:
        for connector_id in self._station.connectors:
            self._station.apply_limits(connector_id)

    # -- local authorization list (1.6 §5.15, §5.10) -------------------------------------------
    def send_local_list(self, request: v16.SendLocalListRequest) -> Answer:
        """Full replaces the list, Differential updates it (§5.15)."""
        station = self._station
        entries = request.local_authorization_list or []
        if len(entries) > station.configuration.get_int("SendLocalListMaxLength"):
            return _answer(v16.SendLocalListResponse(status="Failed"))
        if request.update_type == "Full":
            station.local_list.clear()
        for entry in entries:
            if entry.id_tag_info is msgspec.UNSET:
                station.local_list.pop(entry.id_tag, None)
            else:
                station.local_list[entry.id_tag] = entry.id_tag_info
        station.local_list_version = request.list_version
        return _answer(v16.SendLocalListResponse(status="Accepted"))

    def get_local_list_version(self, request: v16.GetLocalListVersionRequest) -> Answer:
        """The version of the local list, 0 when there is none (§5.10)."""
        version = self._station.local_list_version
        return Answer(v16.GetLocalListVersionResponse(list_version=version), f"version {version}")


def _matches(
    request: v16.ClearChargingProfileRequest, profile_id: int, profile: v16.ChargingProfile
) -> bool:
    """ClearChargingProfile.req criteria (§6.17): the id alone, or purpose and stack level."""
    if request.id is not msgspec.UNSET:
        return profile_id == request.id
    purpose, level = request.charging_profile_purpose, request.stack_level
    return (purpose is msgspec.UNSET or profile.charging_profile_purpose == purpose) and (
        level is msgspec.UNSET or profile.stack_level == level
    )


def _seconds_until(when: datetime, now: datetime) -> float:
    return max(0.0, (when - now).total_seconds())

"""Every CSMS-initiated OCPP 1.6J command as a form on the station page.

Each command has a few typed fields (:data:`FORMS`); commands without a form of their
own (the security extension's) take their JSON payload as it is. The payload is checked
against the OCPP schema by :func:`csms.services.commands.parse` before anything is sent;
ReserveNow, CancelReservation and SendLocalList go through their services (which keep
reservations and the local list version), everything else through
:meth:`CommandService.send`. The outcome is the station's own answer, or why there is none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import msgspec

from csms.gateway import CommandError, CommandTimeout, StationCallError, StationOffline
from csms.ocpp import OcppError
from csms.ocpp.messages import v16
from csms.services import Services
from csms.services.commands import COMMANDS, InvalidCommand, parse
from csms.services.reservations import ReservationError
from csms.web.labels import N_

Kind = Literal["int", "text", "select", "datetime", "json", "list"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the OCPP JSON property
    label: str  # a message id
    kind: Kind = "text"
    options: tuple[str, ...] = ()
    required: bool = False
    default: str = ""


_CONNECTOR = Field("connectorId", N_("Connector"), "int", required=True, default="1")
_RETRIES = (Field("retries", N_("Retries"), "int"), Field("retryInterval", N_("Retry interval (s)"), "int"))
_TRIGGERS = (
    "BootNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
)

FORMS: dict[str, tuple[Field, ...]] = {
    "RemoteStartTransaction": (
        Field("connectorId", N_("Connector"), "int", default="1"),
        Field("idTag", N_("Id tag"), required=True),
        Field("chargingProfile", N_("Charging profile (JSON, optional)"), "json"),
    ),
    "RemoteStopTransaction": (Field("transactionId", N_("Transaction"), "int", required=True),),
    "Reset": (Field("type", N_("Type"), "select", ("Soft", "Hard"), True),),
    "UnlockConnector": (_CONNECTOR,),
    "ChangeAvailability": (
        Field("connectorId", N_("Connector (0: the whole station)"), "int", required=True, default="0"),
        Field("type", N_("Availability"), "select", ("Inoperative", "Operative"), True),
    ),
    "ChangeConfiguration": (
        Field("key", N_("Key"), required=True),
        Field("value", N_("Value"), required=True),
    ),
    "GetConfiguration": (Field("key", N_("Keys (comma-separated, empty: all)"), "list"),),
    "ClearCache": (),
    "DataTransfer": (
        Field("vendorId", N_("Vendor id"), required=True),
        Field("messageId", N_("Message id")),
        Field("data", N_("Data")),
    ),
    "TriggerMessage": (
        Field("requestedMessage", N_("Message"), "select", _TRIGGERS, True),
        Field("connectorId", N_("Connector"), "int"),
    ),
    "UpdateFirmware": (
        Field("location", N_("Firmware URL"), required=True),
        Field("retrieveDate", N_("Retrieve at"), "datetime", required=True),
        *_RETRIES,
    ),
    "GetDiagnostics": (
        Field("location", N_("Upload URL"), required=True),
        Field("startTime", N_("From"), "datetime"),
        Field("stopTime", N_("Until"), "datetime"),
        *_RETRIES,
    ),
    "ReserveNow": (
        Field("connectorId", N_("Connector (0: any)"), "int", required=True, default="1"),
        Field("idTag", N_("Id tag"), required=True),
        Field("expiryDate", N_("Reserved until"), "datetime", required=True),
        Field("parentIdTag", N_("Parent id tag")),
    ),
    "CancelReservation": (Field("reservationId", N_("Reservation"), "int", required=True),),
    "SetChargingProfile": (
        _CONNECTOR,
        Field("csChargingProfiles", N_("Charging profile (JSON)"), "json", required=True),
    ),
    "ClearChargingProfile": (
        Field("id", N_("Profile id"), "int"),
        Field("connectorId", N_("Connector"), "int"),
        Field(
            "chargingProfilePurpose",
            N_("Purpose"),
            "select",
            ("", "ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"),
        ),
        Field("stackLevel", N_("Stack level"), "int"),
    ),
    "GetCompositeSchedule": (
        Field("connectorId", N_("Connector (0: the whole station)"), "int", required=True, default="0"),
        Field("duration", N_("Duration (s)"), "int", required=True, default="3600"),
        Field("chargingRateUnit", N_("Unit"), "select", ("", "A", "W")),
    ),
    "SendLocalList": (
        Field("updateType", N_("Update"), "select", ("Full", "Differential"), True),
    ),
    "GetLocalListVersion": (),
}

PAYLOAD = Field("payload", N_("Payload (JSON)"), "json", default="{}")


def form_of(action: str) -> tuple[Field, ...]:
    return FORMS.get(action, (PAYLOAD,))


def ordered_actions() -> list[str]:
    """The commands, those with a form of their own first, in the catalog's order."""
    return [a for a in COMMANDS if a in FORMS] + [a for a in COMMANDS if a not in FORMS]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a command: the station's answer, or a message saying why not."""

    action: str
    ok: bool
    status: str | None = None  # the answer's "status" when it has one
    answer: str | None = None  # the answer as pretty JSON
    message: str | None = None  # a message id
    detail: str = ""


class BadInput(ValueError):
    def __init__(self, field: str, text: str) -> None:
        super().__init__(f"{field}: {text}")
        self.field = field


def payload_of(action: str, form: dict[str, str], zone: ZoneInfo) -> dict[str, Any]:
    """The OCPP payload from the posted form; raises BadInput."""
    payload: dict[str, Any] = {}
    for f in form_of(action):
        raw = form.get(f.name, "").strip()
        if not raw:
            if f.required:
                raise BadInput(f.name, "required")
            continue
        payload_value = _value(f, raw, zone)
        if f is PAYLOAD:
            if not isinstance(payload_value, dict):
                raise BadInput(f.name, "a JSON object is needed")
            return payload_value
        payload[f.name] = payload_value
    return payload


def _value(f: Field, raw: str, zone: ZoneInfo) -> Any:
    try:
        if f.kind == "int":
            return int(raw)
        if f.kind == "json":
            return json.loads(raw)
        if f.kind == "list":
            return [part.strip() for part in raw.split(",") if part.strip()]
        if f.kind == "datetime":
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            return moment.isoformat()
    except ValueError as error:
        raise BadInput(f.name, str(error)) from None
    if f.kind == "select" and raw not in f.options:
        raise BadInput(f.name, f"one of {', '.join(o for o in f.options if o)}")
    return raw


async def run(
    services: Services, station_id: str, action: str, form: dict[str, str], zone: ZoneInfo
) -> Outcome:
    """Send ``action`` with the form's values and describe the outcome."""
    try:
        payload = payload_of(action, form, zone)
        answer = await _send(services, station_id, action, payload)
    except BadInput as error:
        return Outcome(action, False, message=N_("Invalid input"), detail=str(error))
    except InvalidCommand as error:
        return Outcome(action, False, message=N_("Invalid input"), detail=f"{error.field or ''}: {error.message}")
    except StationOffline:
        return Outcome(action, False, message=N_("The station is offline."))
    except CommandTimeout:
        return Outcome(action, False, message=N_("The station did not answer in time."))
    except StationCallError as error:
        return Outcome(
            action, False, message=N_("The station answered with an error."),
            detail=f"{error.code}: {error.description}",
        )
    except (CommandError, OcppError, ReservationError) as error:
        return Outcome(action, False, message=N_("The command failed."), detail=str(error))
    status = answer.get("status") if isinstance(answer, dict) else None
    return Outcome(
        action, True, status=str(status) if status is not None else None,
        answer=json.dumps(answer, indent=2, ensure_ascii=False, default=str),
    )


async def _send(services: Services, station_id: str, action: str, payload: dict[str, Any]) -> Any:
    if action == "SendLocalList":  # the service builds the list and its version
        pushed = await services.local_lists.push(station_id, payload["updateType"])
        return {"status": pushed.status, "listVersion": pushed.list_version, "entries": pushed.sent}
    if action == "ReserveNow":  # the service assigns the reservation id
        checked = parse(action, json.dumps({**payload, "reservationId": 0}).encode())
        assert isinstance(checked, v16.ReserveNowRequest)
        reservation = await services.reservations.create(
            station_id,
            checked.connector_id,
            checked.id_tag,
            checked.expiry_date,
            parent_id_tag=checked.parent_id_tag if isinstance(checked.parent_id_tag, str) else None,
        )
        return {"status": reservation.station_answer, "reservationId": reservation.id}
    request = parse(action, json.dumps(payload).encode())  # the schema check, first
    if action == "CancelReservation":
        cancelled = await services.reservations.cancel(int(payload["reservationId"]))
        return {"status": cancelled.status}
    response = await services.commands.send(station_id, request)
    return msgspec.to_builtins(response)

"""Station resources: registration (create/update) and what the API shows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from csms.domain import RegistrationStatus, StatusEvent
from csms.domain.operations import ConfigurationEntry, ConnectorAvailability
from csms.services.station_views import StationView

STATION_ID = Field(
    min_length=1,
    max_length=48,
    pattern=r"^[^\s/?#%]+$",
    description="the last segment of ws(s)://host/ocpp/{id}: no spaces, '/', '?', '#' or '%'",
    examples=["CP001"],
)


class StationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"id": "CP001", "password": "a-long-secret", "lenient": False}},
    )

    id: str = STATION_ID
    password: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="HTTP Basic password (security profile 1); none: the station connects without",
    )
    lenient: bool = Field(False, description="tolerate non-compliant messages from this station")
    registration_status: RegistrationStatus = Field(
        RegistrationStatus.ACCEPTED, description="the answer to its BootNotification"
    )


class StationUpdate(BaseModel):
    """Only the fields sent change; `"password": null` removes the password."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"example": {"registration_status": "Rejected"}}
    )

    password: str | None = Field(None, min_length=1, max_length=128)
    lenient: bool | None = None
    registration_status: RegistrationStatus | None = None


class StationPublic(BaseModel):
    """A station as listed."""

    id: str
    registration_status: RegistrationStatus
    lenient: bool
    has_password: bool
    ocpp_version: str | None = Field(description="from its last BootNotification")
    vendor: str | None
    model: str | None
    firmware_version: str | None
    online: bool = Field(description="a WebSocket connection is open now")
    online_since: datetime | None = Field(description="when the open connection was accepted")
    last_seen_at: datetime | None = Field(
        description="its last message of any kind (heartbeats included)"
    )
    last_boot_at: datetime | None
    created_at: datetime | None

    @classmethod
    def fields_of(cls, view: StationView) -> dict[str, object]:
        s = view.station
        return {
            "id": s.id,
            "registration_status": s.registration_status,
            "lenient": s.lenient,
            "has_password": s.password_hash is not None,
            "ocpp_version": s.ocpp_version,
            "vendor": s.vendor,
            "model": s.model,
            "firmware_version": s.firmware_version,
            "online": view.online,
            "online_since": view.online_since,
            "last_seen_at": s.last_seen_at,
            "last_boot_at": s.last_boot_at,
            "created_at": s.created_at,
        }

    @classmethod
    def of(cls, view: StationView) -> StationPublic:
        return cls.model_validate(cls.fields_of(view))


class ConnectorPublic(BaseModel):
    """The live status of an EVSE/connector (its last StatusNotification). OCPP 1.6
    connector n is EVSE n, connector 1; connector 0 (the whole station) is EVSE 0."""

    evse_id: int
    connector_id: int
    status: str = Field(examples=["Charging"])
    error_code: str = Field(examples=["NoError"])
    info: str | None
    vendor_id: str | None
    vendor_error_code: str | None
    timestamp: datetime | None = Field(description="the station's time of the change")
    received_at: datetime

    @classmethod
    def of(cls, event: StatusEvent) -> ConnectorPublic:
        return cls(
            evse_id=event.evse_id,
            connector_id=event.connector_id,
            status=event.status.value,
            error_code=event.error_code,
            info=event.info,
            vendor_id=event.vendor_id,
            vendor_error_code=event.vendor_error_code,
            timestamp=event.timestamp,
            received_at=event.received_at,
        )


class ConfigurationEntryPublic(BaseModel):
    key: str
    value: str | None
    readonly: bool
    updated_at: datetime

    @classmethod
    def of(cls, entry: ConfigurationEntry) -> ConfigurationEntryPublic:
        return cls(key=entry.key, value=entry.value, readonly=entry.readonly, updated_at=entry.updated_at)


class AvailabilityPublic(BaseModel):
    connector_id: int
    availability: str = Field(examples=["Operative"])
    updated_at: datetime

    @classmethod
    def of(cls, entry: ConnectorAvailability) -> AvailabilityPublic:
        return cls(
            connector_id=entry.connector_id,
            availability=entry.availability,
            updated_at=entry.updated_at,
        )


class StationDetail(StationPublic):
    """A station with its boot data, live connectors and what csms remembers of its state.
    `configuration` and `availability` are null for driver keys."""

    serial_number: str | None
    charge_box_serial_number: str | None
    iccid: str | None
    imsi: str | None
    meter_type: str | None
    meter_serial_number: str | None
    firmware_status: str | None = Field(description="last FirmwareStatusNotification")
    diagnostics_status: str | None = Field(description="last DiagnosticsStatusNotification")
    connectors: list[ConnectorPublic]
    configuration: list[ConfigurationEntryPublic] | None = Field(
        description="configuration cache (GetConfiguration/ChangeConfiguration answers)"
    )
    availability: list[AvailabilityPublic] | None = Field(
        description="availability csms last set (ChangeAvailability)"
    )

    @classmethod
    def of_view(cls, view: StationView, *, with_state: bool = True) -> StationDetail:
        s = view.station
        return cls.model_validate(
            {
                **cls.fields_of(view),
                "serial_number": s.serial_number,
                "charge_box_serial_number": s.charge_box_serial_number,
                "iccid": s.iccid,
                "imsi": s.imsi,
                "meter_type": s.meter_type,
                "meter_serial_number": s.meter_serial_number,
                "firmware_status": s.firmware_status,
                "diagnostics_status": s.diagnostics_status,
                "connectors": [ConnectorPublic.of(e) for e in view.connectors],
                "configuration": [ConfigurationEntryPublic.of(c) for c in view.configuration]
                if with_state
                else None,
                "availability": [AvailabilityPublic.of(a) for a in view.availability]
                if with_state
                else None,
            }
        )

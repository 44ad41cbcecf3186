"""Request and answer shapes of reservations, local lists and the driver endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from csms.domain import AuthorizationStatus
from csms.domain.operations import LocalList, LocalListEntry, Reservation, ReservationStatus
from csms.services.commands import ChargeLimit, StartResult, StopResult
from csms.services.local_lists import Pushed

ID_TAG = Field(min_length=1, max_length=20, examples=["remote-11902"])


# -- reservations -------------------------------------------------------------------------
class ReservationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "station_id": "CP001", "connector_id": 1, "id_tag": "remote-11902",
                "expiry_date": "2030-01-01T12:00:00Z",
            }
        },
    )

    station_id: str = Field(min_length=1)
    connector_id: int = Field(ge=0, description="0: any connector (if the station supports it)")
    id_tag: str = ID_TAG
    expiry_date: datetime = Field(description="when the station ends the reservation (ISO 8601)")
    parent_id_tag: str | None = Field(None, min_length=1, max_length=20)


class ReservationPublic(BaseModel):
    id: int = Field(description="the reservationId the station knows it by")
    station_id: str
    connector_id: int
    id_tag: str
    parent_id_tag: str | None
    expiry_date: datetime
    created_at: datetime
    status: ReservationStatus = Field(
        description="Pending (sent), Active (accepted), Rejected, Cancelled, Expired, Used"
    )
    station_answer: str | None = Field(description="what the station answered ReserveNow")
    transaction_id: int | None = Field(description="the transaction that used it")

    @classmethod
    def of(cls, reservation: Reservation) -> ReservationPublic:
        return cls(
            id=reservation.id,
            station_id=reservation.station_id,
            connector_id=reservation.connector_id,
            id_tag=reservation.id_tag,
            parent_id_tag=reservation.parent_id_tag,
            expiry_date=reservation.expiry_date,
            created_at=reservation.created_at,
            status=reservation.status,
            station_answer=reservation.station_answer,
            transaction_id=reservation.transaction_id,
        )


class CancelResult(BaseModel):
    status: str = Field(description="the station's answer to CancelReservation")
    reservation: ReservationPublic


# -- local lists ---------------------------------------------------------------------------
class LocalListEntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_tag: str = ID_TAG
    status: AuthorizationStatus | None = Field(
        None, description="none: remove the tag from the list (Differential only)"
    )
    expiry_date: datetime | None = None
    parent_id_tag: str | None = Field(None, min_length=1, max_length=20)

    @classmethod
    def of(cls, entry: LocalListEntry) -> LocalListEntryModel:
        status = AuthorizationStatus(entry.status) if entry.status is not None else None
        return cls(
            id_tag=entry.id_tag,
            status=status,
            expiry_date=entry.expiry_date,
            parent_id_tag=entry.parent_id_tag,
        )

    def entry(self) -> LocalListEntry:
        status = self.status.value if self.status is not None else None
        return LocalListEntry(self.id_tag, status, self.expiry_date, self.parent_id_tag)


class LocalListPublic(BaseModel):
    station_id: str
    version: int | None = Field(description="null: csms holds no list for this station")
    entries: list[LocalListEntryModel]
    updated_at: datetime | None

    @classmethod
    def of(cls, station_id: str, held: LocalList | None) -> LocalListPublic:
        if held is None:
            return cls(station_id=station_id, version=None, entries=[], updated_at=None)
        return cls(
            station_id=station_id,
            version=held.version,
            entries=[LocalListEntryModel.of(e) for e in held.entries],
            updated_at=held.updated_at,
        )


class LocalListPush(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"example": {"update_type": "Full"}}
    )

    update_type: Literal["Full", "Differential"]
    list_version: int | None = Field(
        None, ge=1, description="default: the version csms holds plus one"
    )
    entries: list[LocalListEntryModel] | None = Field(
        None,
        description="default: built from csms's id tags (Full: all of them; Differential: "
        "what changed since the list csms holds, removals included)",
    )

    @model_validator(mode="after")
    def _removals_only_in_differential(self) -> LocalListPush:
        if self.update_type == "Full" and any(e.status is None for e in self.entries or []):
            raise ValueError("a Full list cannot remove tags: give every entry a status")
        return self


class LocalListPushed(BaseModel):
    status: str = Field(description="the station's answer: Accepted, Failed, NotSupported, VersionMismatch")
    list_version: int
    sent: int = Field(description="entries sent")
    held: LocalListPublic

    @classmethod
    def of(cls, station_id: str, pushed: Pushed) -> LocalListPushed:
        return cls(
            status=pushed.status,
            list_version=pushed.list_version,
            sent=pushed.sent,
            held=LocalListPublic.of(station_id, pushed.held),
        )


class LocalListVersion(BaseModel):
    station_id: str
    list_version: int = Field(description="the station's own (-1: it has no local list support)")


# -- driver ----------------------------------------------------------------------------------
class DriverStart(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"station_id": "CP001", "id_tag": "remote-11902", "max_current_a": 16}
        },
    )

    station_id: str = Field(min_length=1)
    connector_id: int | None = Field(None, ge=1, description="default: the first free one")
    id_tag: str | None = Field(
        None, min_length=1, max_length=20,
        description="default for a driver key: the first Accepted tag of its owner",
    )
    max_current_a: float | None = Field(None, gt=0, le=1000, description="limit in amperes")
    max_power_w: float | None = Field(None, gt=0, le=1_000_000, description="limit in watts")
    wait_for_transaction: float = Field(30.0, ge=0, le=300, description="seconds")
    timeout: float | None = Field(None, gt=0, le=300, description="seconds for the station's answer")

    @model_validator(mode="after")
    def _one_limit(self) -> DriverStart:
        if self.max_current_a is not None and self.max_power_w is not None:
            raise ValueError("give max_current_a or max_power_w, not both")
        return self

    def limit(self) -> ChargeLimit | None:
        if self.max_current_a is not None:
            return ChargeLimit(self.max_current_a, "A")
        if self.max_power_w is not None:
            return ChargeLimit(self.max_power_w, "W")
        return None


class DriverStarted(BaseModel):
    status: str = Field(description="the station's answer to RemoteStartTransaction")
    station_id: str
    connector_id: int | None
    id_tag: str
    transaction_id: int | None = Field(
        description="null when the station rejected or no transaction started in time"
    )

    @classmethod
    def of(cls, station_id: str, id_tag: str, result: StartResult) -> DriverStarted:
        return cls(
            status=result.status,
            station_id=station_id,
            connector_id=result.connector_id,
            id_tag=id_tag,
            transaction_id=result.transaction_id,
        )


class DriverStop(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"transaction_id": 1}})

    transaction_id: int
    wait_for_stop: float = Field(30.0, ge=0, le=300, description="seconds")
    timeout: float | None = Field(None, gt=0, le=300, description="seconds for the station's answer")


class DriverStopped(BaseModel):
    status: str = Field(description="the station's answer to RemoteStopTransaction")
    transaction_id: int
    stopped: bool = Field(description="the StopTransaction arrived")
    energy_kwh: float | None

    @classmethod
    def of(cls, result: StopResult) -> DriverStopped:
        return cls(
            status=result.status,
            transaction_id=result.transaction_id,
            stopped=result.stopped,
            energy_kwh=result.energy_kwh,
        )

"""Transaction resources: sessions with energy, duration and meter values; CSV rows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from csms.domain import MeterSample, TransactionState
from csms.services.transaction_views import TransactionView


class MeterValuePublic(BaseModel):
    """One sampled value (OCPP 1.6 §7.43 SampledValue), as the station sent it."""

    timestamp: datetime
    measurand: str = Field(examples=["Energy.Active.Import.Register"])
    value: str = Field(description="as sent: a number, or signed data", examples=["1520"])
    unit: str | None = Field(examples=["Wh"])
    phase: str | None = Field(examples=["L1"])
    context: str | None = Field(examples=["Sample.Periodic"])
    location: str | None
    format: str | None

    @classmethod
    def of(cls, sample: MeterSample) -> MeterValuePublic:
        return cls(
            timestamp=sample.timestamp,
            measurand=sample.measurand,
            value=sample.value,
            unit=sample.unit,
            phase=sample.phase,
            context=sample.context,
            location=sample.location,
            format=sample.format,
        )


class TransactionPublic(BaseModel):
    """A charging session. `id` is the transactionId csms gave the (1.6) station."""

    id: int
    station_id: str
    evse_id: int
    connector_id: int
    id_tag: str | None
    state: TransactionState
    started_at: datetime = Field(description="the station's start time")
    stopped_at: datetime | None
    meter_start: int = Field(description="Wh")
    meter_stop: int | None = Field(description="Wh")
    energy_kwh: float | None = Field(
        description="delivered energy; while active: so far, from the latest register "
        "reading (detail only, null in lists)"
    )
    duration_seconds: float = Field(description="until the stop, or until now while active")
    stop_reason: str | None
    stop_id_tag: str | None
    reservation_id: int | None
    station_tx_id: str | None = Field(description="the id an OCPP 2.0.1 station gave it")
    station_stop_unknown: bool = Field(
        description="the station stopped a transaction csms never saw start"
    )

    @classmethod
    def fields_of(cls, view: TransactionView) -> dict[str, object]:
        tx = view.transaction
        return {
            "id": tx.id,
            "station_id": tx.station_id,
            "evse_id": tx.evse_id,
            "connector_id": tx.connector_id,
            "id_tag": tx.id_tag,
            "state": tx.state,
            "started_at": tx.started_at,
            "stopped_at": tx.stopped_at,
            "meter_start": tx.meter_start,
            "meter_stop": tx.meter_stop,
            "energy_kwh": kwh(view.energy_wh),
            "duration_seconds": view.duration_s,
            "stop_reason": tx.stop_reason,
            "stop_id_tag": tx.stop_id_tag,
            "reservation_id": tx.reservation_id,
            "station_tx_id": tx.station_tx_id,
            "station_stop_unknown": tx.station_stop_unknown,
        }

    @classmethod
    def of(cls, view: TransactionView) -> TransactionPublic:
        return cls.model_validate(cls.fields_of(view))


class TransactionDetail(TransactionPublic):
    measurands: list[str] = Field(description="every measurand among the meter values")
    meter_values: list[MeterValuePublic] = Field(description="ordered by timestamp")

    @classmethod
    def of_view(cls, view: TransactionView) -> TransactionDetail:
        return cls.model_validate(
            {
                **cls.fields_of(view),
                "measurands": sorted({s.measurand for s in view.meter_values}),
                "meter_values": [MeterValuePublic.of(s) for s in view.meter_values],
            }
        )


def kwh(wh: float | None) -> float | None:
    return None if wh is None else round(wh / 1000, 3)


CSV_COLUMNS = (
    "id",
    "station_id",
    "evse_id",
    "connector_id",
    "id_tag",
    "state",
    "started_at",
    "stopped_at",
    "meter_start_wh",
    "meter_stop_wh",
    "energy_kwh",
    "duration_seconds",
    "stop_reason",
)


def csv_row(view: TransactionView) -> list[object]:
    tx = view.transaction
    return [
        tx.id,
        tx.station_id,
        tx.evse_id,
        tx.connector_id,
        tx.id_tag or "",
        tx.state.value,
        tx.started_at.isoformat(),
        tx.stopped_at.isoformat() if tx.stopped_at else "",
        tx.meter_start,
        "" if tx.meter_stop is None else tx.meter_stop,
        "" if view.energy_wh is None else kwh(view.energy_wh),
        round(view.duration_s),
        tx.stop_reason or "",
    ]

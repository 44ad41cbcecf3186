"""Tariff resources: what an operator sends to create or edit a tariff, and what the API
shows (every version, with its prices). Money and prices are decimal strings."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from csms.domain.billing import (
    AssignmentScope,
    TariffAssignment,
    TariffSpec,
    TariffVersion,
    TimeOfUsePeriod,
)
from csms.services.billing import TariffView

Price = Decimal  # >= 0, validated by Field(ge=0)


class PeriodModel(BaseModel):
    """Prices replacing the base prices on some days between two local times."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50, examples=["peak"])
    days: list[int] = Field(min_length=1, description="ISO weekdays, 1 = Monday", examples=[[1, 2, 3, 4, 5]])
    start: time = Field(examples=["17:00"])
    end: time = Field(description="exclusive; 00:00 = midnight at the end of the day", examples=["20:00"])
    energy_per_kwh: Price | None = Field(None, ge=0, description="null: the base price")
    charging_per_minute: Price | None = Field(None, ge=0)
    idle_per_minute: Price | None = Field(None, ge=0)

    def period(self) -> TimeOfUsePeriod:
        return TimeOfUsePeriod(self.name, frozenset(self.days), self.start, self.end,
                               self.energy_per_kwh, self.charging_per_minute, self.idle_per_minute)  # fmt: skip

    @classmethod
    def of(cls, period: TimeOfUsePeriod) -> PeriodModel:
        return cls(name=period.name, days=sorted(period.days), start=period.start, end=period.end,
                   energy_per_kwh=period.energy_per_kwh, charging_per_minute=period.charging_per_minute,
                   idle_per_minute=period.idle_per_minute)  # fmt: skip


class TariffPrices(BaseModel):
    """What a tariff charges. Prices exclude tax; min/max bound the net price of a session."""

    model_config = ConfigDict(extra="forbid")

    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])
    energy_per_kwh: Price = Field(Decimal(0), ge=0, examples=["0.39"])
    charging_per_minute: Price = Field(Decimal(0), ge=0, examples=["0.02"])
    idle_per_minute: Price = Field(Decimal(0), ge=0, description="after charging ends and the grace period")
    idle_grace_minutes: Decimal = Field(Decimal(0), ge=0, examples=["15"])
    session_fee: Price = Field(Decimal(0), ge=0, examples=["0.50"])
    min_price: Price | None = Field(None, ge=0)
    max_price: Price | None = Field(None, ge=0)
    tax_rate: Decimal = Field(Decimal(0), ge=0, le=1, description="0.19 for 19 %", examples=["0.19"])
    time_zone: str = Field("UTC", description="IANA zone of the time-of-use periods", examples=["Europe/Paris"])
    periods: list[PeriodModel] = Field(default_factory=list, description="the first that covers a moment applies")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r}") from None
        return zone

    def spec(self) -> TariffSpec:
        """The domain spec; ValueError when the combination is invalid."""
        return TariffSpec(
            currency=self.currency,
            energy_per_kwh=self.energy_per_kwh,
            charging_per_minute=self.charging_per_minute,
            idle_per_minute=self.idle_per_minute,
            idle_grace=timedelta(microseconds=int(self.idle_grace_minutes * 60_000_000)),
            session_fee=self.session_fee,
            min_price=self.min_price,
            max_price=self.max_price,
            tax_rate=self.tax_rate,
            time_zone=self.time_zone,
            periods=tuple(period.period() for period in self.periods),
        )

    @classmethod
    def prices_of(cls, spec: TariffSpec) -> dict[str, object]:
        return {
            "currency": spec.currency,
            "energy_per_kwh": spec.energy_per_kwh,
            "charging_per_minute": spec.charging_per_minute,
            "idle_per_minute": spec.idle_per_minute,
            "idle_grace_minutes": Decimal(spec.idle_grace // timedelta(microseconds=1)) / 60_000_000,
            "session_fee": spec.session_fee,
            "min_price": spec.min_price,
            "max_price": spec.max_price,
            "tax_rate": spec.tax_rate,
            "time_zone": spec.time_zone,
            "periods": [PeriodModel.of(period) for period in spec.periods],
        }


class TariffCreate(TariffPrices):
    """A new tariff (version 1), or — sent to PUT — its next version."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {
            "name": "Standard", "currency": "EUR", "energy_per_kwh": "0.39", "session_fee": "0.50",
            "idle_per_minute": "0.10", "idle_grace_minutes": "15", "tax_rate": "0.19",
            "time_zone": "Europe/Paris",
            "periods": [{"name": "peak", "days": [1, 2, 3, 4, 5], "start": "17:00", "end": "20:00",
                         "energy_per_kwh": "0.55"}],
        }},
    )  # fmt: skip

    name: str = Field(min_length=1, max_length=100)


class TariffVersionPublic(TariffPrices):
    """One immutable version; orders keep the `id` of the version they were priced with."""

    model_config = ConfigDict(extra="ignore")

    id: int
    tariff_id: int
    version: int
    created_at: datetime

    @classmethod
    def of(cls, version: TariffVersion) -> TariffVersionPublic:
        return cls.model_validate({
            "id": version.id, "tariff_id": version.tariff_id, "version": version.version,
            "created_at": version.created_at, **cls.prices_of(version.spec),
        })  # fmt: skip


class TariffPublic(BaseModel):
    id: int
    name: str
    archived: bool
    created_at: datetime
    current: TariffVersionPublic = Field(description="the newest version")

    @classmethod
    def of(cls, view: TariffView) -> TariffPublic:
        tariff = view.tariff
        return cls(id=tariff.id, name=tariff.name, archived=tariff.archived,
                   created_at=tariff.created_at, current=TariffVersionPublic.of(view.current))  # fmt: skip


class AssignmentPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tariff_id: int


class AssignmentPublic(BaseModel):
    scope: AssignmentScope
    key: str = Field(description="the tag, driver, group or station id; empty for the default")
    tariff_id: int
    updated_at: datetime

    @classmethod
    def of(cls, assignment: TariffAssignment) -> AssignmentPublic:
        return cls(scope=assignment.scope, key=assignment.key, tariff_id=assignment.tariff_id,
                   updated_at=assignment.updated_at)  # fmt: skip

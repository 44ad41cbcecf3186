"""Small builders for billing tests: meter samples, status events, tariff specs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from csms.domain import ConnectorStatus, MeterSample, StatusEvent
from csms.domain.billing import TariffSpec


def utc(text: str) -> datetime:
    """``"2025-01-15 15:30"`` as a UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def energy(at: str, wh: str | int, *, unit: str = "Wh", transaction_id: int | None = 1) -> MeterSample:
    return MeterSample("CP1", 1, 1, transaction_id, utc(at), utc(at), str(wh), unit=unit)


def power(at: str, watts: int) -> MeterSample:
    return MeterSample(
        "CP1", 1, 1, 1, utc(at), utc(at), str(watts), measurand="Power.Active.Import", unit="W"
    )


def status(at: str, value: ConnectorStatus) -> StatusEvent:
    return StatusEvent("CP1", 1, 1, value, "NoError", utc(at), utc(at))


def eur(**prices: Any) -> TariffSpec:
    """A TariffSpec (EUR unless ``currency`` is given); prices may be given as strings."""
    currency = prices.pop("currency", "EUR")
    text = ("time_zone",)
    values: dict[str, Any] = {
        key: Decimal(value) if isinstance(value, str) and key not in text else value
        for key, value in prices.items()
    }
    return TariffSpec(currency=currency, **values)

"""Tariff specs and order lines as JSON text for the SQL backend. Decimals travel as
strings, durations as whole microseconds, times as ``HH:MM:SS``: exact both ways."""

from __future__ import annotations

import json
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from csms.domain.billing import Component, OrderLine, TariffSpec, TimeOfUsePeriod

_US = timedelta(microseconds=1)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _period_json(period: TimeOfUsePeriod) -> dict[str, Any]:
    return {
        "name": period.name,
        "days": sorted(period.days),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "energy_per_kwh": _dec(period.energy_per_kwh),
        "charging_per_minute": _dec(period.charging_per_minute),
        "idle_per_minute": _dec(period.idle_per_minute),
    }


def _period(data: dict[str, Any]) -> TimeOfUsePeriod:
    return TimeOfUsePeriod(
        name=data["name"],
        days=frozenset(data["days"]),
        start=time.fromisoformat(data["start"]),
        end=time.fromisoformat(data["end"]),
        energy_per_kwh=_undec(data["energy_per_kwh"]),
        charging_per_minute=_undec(data["charging_per_minute"]),
        idle_per_minute=_undec(data["idle_per_minute"]),
    )


def spec_to_json(spec: TariffSpec) -> str:
    return json.dumps(
        {
            "currency": spec.currency,
            "energy_per_kwh": str(spec.energy_per_kwh),
            "charging_per_minute": str(spec.charging_per_minute),
            "idle_per_minute": str(spec.idle_per_minute),
            "idle_grace_us": spec.idle_grace // _US,
            "session_fee": str(spec.session_fee),
            "min_price": _dec(spec.min_price),
            "max_price": _dec(spec.max_price),
            "tax_rate": str(spec.tax_rate),
            "time_zone": spec.time_zone,
            "periods": [_period_json(period) for period in spec.periods],
        }
    )


def spec_from_json(text: str) -> TariffSpec:
    data = json.loads(text)
    return TariffSpec(
        currency=data["currency"],
        energy_per_kwh=Decimal(data["energy_per_kwh"]),
        charging_per_minute=Decimal(data["charging_per_minute"]),
        idle_per_minute=Decimal(data["idle_per_minute"]),
        idle_grace=data["idle_grace_us"] * _US,
        session_fee=Decimal(data["session_fee"]),
        min_price=_undec(data["min_price"]),
        max_price=_undec(data["max_price"]),
        tax_rate=Decimal(data["tax_rate"]),
        time_zone=data["time_zone"],
        periods=tuple(_period(period) for period in data["periods"]),
    )


def lines_to_json(lines: tuple[OrderLine, ...]) -> str:
    return json.dumps(
        [
            [line.component.value, line.period, str(line.quantity), line.unit,
             str(line.unit_price), str(line.amount)]
            for line in lines
        ]
    )  # fmt: skip


def lines_from_json(text: str) -> tuple[OrderLine, ...]:
    return tuple(
        OrderLine(Component(c), period, Decimal(q), unit, Decimal(p), Decimal(a))
        for c, period, q, unit, p, a in json.loads(text)
    )


def microseconds(duration: timedelta) -> int:
    return duration // _US


def duration(us: int) -> timedelta:
    return us * _US

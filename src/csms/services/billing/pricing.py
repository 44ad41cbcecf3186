"""The pricing engine: a tariff version and a session's usage in, a priced breakdown out.

Pure and deterministic (no clock, no I/O), so every rule is tested with hand-computed
numbers (tests/billing/test_pricing.py). The rules, also in docs/billing.md:

1. Time is cut where the time-of-use period changes (``timeofuse.split``).
2. Energy between two register readings is spread evenly over the time between them,
   then summed per period; kWh x price per kWh.
3. Charging minutes run from the start to the end of charging; idle minutes from the end
   of charging plus the grace period to the stop; each minute at the price of its period.
4. The session fee is added once.
5. Lines keep full precision. Their sum, the exact net, is raised to ``min_price`` or
   lowered to ``max_price`` by an adjustment line.
6. total = round(net x (1 + tax_rate)); net = round(net); tax = total - net. Rounding is
   half up to the currency's minor unit, once per figure: net + tax == total always.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from csms.domain.billing import (
    ZERO,
    Component,
    OrderLine,
    Priced,
    TariffSpec,
    TimeOfUsePeriod,
    round_money,
)
from csms.services.billing.timeofuse import Slice, active_period, split
from csms.services.billing.usage import Usage

_MICROSECONDS_PER_MINUTE = Decimal(60_000_000)
_Key = tuple[str | None, Decimal]  # (period name, unit price)


def minutes(duration: timedelta) -> Decimal:
    """A duration in minutes, exact to the microsecond."""
    return Decimal(duration // timedelta(microseconds=1)) / _MICROSECONDS_PER_MINUTE


def price(spec: TariffSpec, usage: Usage) -> Priced:
    """The price of ``usage`` under ``spec``."""
    lines = [
        *_energy_lines(spec, usage),
        *_time_lines(
            spec, Component.CHARGING_TIME, split(spec, usage.started_at, usage.charging_end)
        ),
        *_time_lines(spec, Component.IDLE_TIME, _billable_idle(spec, usage)),
    ]
    if spec.session_fee:
        lines.append(
            OrderLine(Component.SESSION_FEE, None, Decimal(1), "session", spec.session_fee,
                      spec.session_fee)
        )  # fmt: skip
    net = sum((line.amount for line in lines), ZERO)
    if spec.min_price is not None and net < spec.min_price:
        lines.append(_adjustment(Component.MINIMUM, spec.min_price - net))
        net = spec.min_price
    elif spec.max_price is not None and net > spec.max_price:
        lines.append(_adjustment(Component.MAXIMUM, spec.max_price - net))
        net = spec.max_price
    total = round_money(net * (1 + spec.tax_rate), spec.currency)
    rounded_net = round_money(net, spec.currency)
    return Priced(
        currency=spec.currency,
        energy_wh=usage.energy_wh,
        charging=usage.charging,
        idle=usage.idle,
        lines=tuple(lines),
        net=rounded_net,
        tax=total - rounded_net,
        total=total,
    )


def _adjustment(component: Component, amount: Decimal) -> OrderLine:
    return OrderLine(component, None, Decimal(1), "session", amount, amount)


def _unit_price(spec: TariffSpec, component: Component, period: TimeOfUsePeriod | None) -> Decimal:
    if component is Component.ENERGY:
        base, override = spec.energy_per_kwh, period.energy_per_kwh if period else None
    elif component is Component.CHARGING_TIME:
        base, override = spec.charging_per_minute, period.charging_per_minute if period else None
    else:
        base, override = spec.idle_per_minute, period.idle_per_minute if period else None
    return base if override is None else override


def _lines(component: Component, unit: str, quantities: dict[_Key, Decimal]) -> list[OrderLine]:
    return [
        OrderLine(component, name, quantity, unit, unit_price, quantity * unit_price)
        for (name, unit_price), quantity in quantities.items()
        if quantity > 0 and unit_price != 0
    ]


def _add(quantities: dict[_Key, Decimal], key: _Key, quantity: Decimal) -> None:
    quantities[key] = quantities.get(key, ZERO) + quantity


def _key(spec: TariffSpec, component: Component, period: TimeOfUsePeriod | None) -> _Key:
    return (period.name if period else None, _unit_price(spec, component, period))


def _energy_lines(spec: TariffSpec, usage: Usage) -> list[OrderLine]:
    slices = split(spec, usage.started_at, usage.ended_at)
    kwh: dict[_Key, Decimal] = {}
    for before, after in pairwise(usage.points):
        delta = (after.wh - before.wh) / 1000
        if delta <= 0:
            continue
        if after.at == before.at:  # two readings at one instant: no time to spread over
            period = active_period(spec, after.at)
            _add(kwh, _key(spec, Component.ENERGY, period), delta)
            continue
        span = minutes(after.at - before.at)
        pieces = list(_overlaps(slices, before.at, after.at))
        left = delta
        for index, piece in enumerate(pieces):  # the last piece takes the remainder: exact sum
            share = left if index == len(pieces) - 1 else delta * minutes(piece.duration) / span
            left -= share
            _add(kwh, _key(spec, Component.ENERGY, piece.period), share)
    return _lines(Component.ENERGY, "kWh", kwh)


def _time_lines(spec: TariffSpec, component: Component, slices: Iterable[Slice]) -> list[OrderLine]:
    used: dict[_Key, Decimal] = {}
    for piece in slices:
        _add(used, _key(spec, component, piece.period), minutes(piece.duration))
    return _lines(component, "min", used)


def _billable_idle(spec: TariffSpec, usage: Usage) -> list[Slice]:
    return split(spec, usage.charging_end + spec.idle_grace, usage.ended_at)


def _overlaps(slices: Iterable[Slice], start: datetime, end: datetime) -> Iterable[Slice]:
    for piece in slices:
        low, high = max(piece.start, start), min(piece.end, end)
        if low < high:
            yield Slice(low, high, piece.period)

"""The pricing engine against numbers worked out by hand (the arithmetic is in each test)."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal as D

import pytest

from csms.domain import ConnectorStatus
from csms.domain.billing import Component, TariffSpec, TimeOfUsePeriod
from csms.services.billing.pricing import minutes, price
from csms.services.billing.usage import usage_of
from tests.billing.kit import energy, eur, status, utc

WEEKDAYS = frozenset({1, 2, 3, 4, 5})
EVERY_DAY = frozenset(range(1, 8))


def amounts(priced_lines: object) -> list[tuple[str, str | None, D, D]]:
    """(component, period, quantity, amount) of each line, rounded to 6 places for reading."""
    assert isinstance(priced_lines, tuple)
    q = D("0.000001")
    return [
        (line.component.value, line.period, line.quantity.quantize(q), line.amount.quantize(q))
        for line in priced_lines
    ]


def test_the_seed_session_at_a_flat_energy_price_with_19_percent_tax() -> None:
    # 6379 Wh = 6.379 kWh x 0.39 = 2.48781 -> net 2.49
    # total = 2.48781 x 1.19 = 2.9604939 -> 2.96; tax = 2.96 - 2.49 = 0.47
    spec = eur(energy_per_kwh="0.39", tax_rate="0.19")
    usage = usage_of(utc("2025-01-15 02:09:54"), D(0), utc("2025-01-15 02:40:49"), D(6379), [])

    priced = price(spec, usage)

    assert amounts(priced.lines) == [("energy", None, D("6.379000"), D("2.487810"))]
    assert (priced.net, priced.tax, priced.total) == (D("2.49"), D("0.47"), D("2.96"))
    assert priced.energy_wh == 6379


def test_energy_and_time_are_split_at_a_time_of_use_boundary_in_the_sites_time_zone() -> None:
    # Wednesday 15 January 2025, Paris = UTC+1. Peak 17:00-20:00 local = 16:00-19:00 UTC.
    # Readings 15:30 0 Wh, 15:50 2000, 16:10 6000, stop 16:30 8000: the 4000 Wh of
    # 15:50-16:10 are spread evenly, 2000 before 16:00 and 2000 after.
    #   energy off-peak 4 kWh x 0.30 = 1.20     energy peak 4 kWh x 0.50 = 2.00
    #   charging off-peak 30 min x 0.05 = 1.50  charging peak 30 min x 0.10 = 3.00
    #   session fee 0.99                        net 8.69
    #   total 8.69 x 1.20 = 10.428 -> 10.43; tax 1.74
    peak = TimeOfUsePeriod(
        "peak", WEEKDAYS, time(17), time(20), energy_per_kwh=D("0.50"), charging_per_minute=D("0.10")
    )
    spec = eur(
        energy_per_kwh="0.30", charging_per_minute="0.05", session_fee="0.99", tax_rate="0.20",
        time_zone="Europe/Paris", periods=(peak,),
    )  # fmt: skip
    samples = [energy("2025-01-15 15:50", 2000), energy("2025-01-15 16:10", 6000)]
    usage = usage_of(utc("2025-01-15 15:30"), D(0), utc("2025-01-15 16:30"), D(8000), samples)

    priced = price(spec, usage)

    assert amounts(priced.lines) == [
        ("energy", None, D(4), D("1.2")),
        ("energy", "peak", D(4), D("2.0")),
        ("charging_time", None, D(30), D("1.5")),
        ("charging_time", "peak", D(30), D("3.0")),
        ("session_fee", None, D(1), D("0.99")),
    ]
    assert (priced.net, priced.tax, priced.total) == (D("8.69"), D("1.74"), D("10.43"))


def test_the_same_hours_on_a_saturday_are_off_peak() -> None:
    # Saturday 18 January 2025: 8 kWh x 0.30 = 2.40, no peak line.
    peak = TimeOfUsePeriod("peak", WEEKDAYS, time(17), time(20), energy_per_kwh=D("0.50"))
    spec = eur(energy_per_kwh="0.30", time_zone="Europe/Paris", periods=(peak,))
    usage = usage_of(utc("2025-01-18 15:30"), D(0), utc("2025-01-18 16:30"), D(8000), [])

    priced = price(spec, usage)

    assert amounts(priced.lines) == [("energy", None, D(8), D("2.4"))]
    assert priced.total == D("2.40")


def test_idle_minutes_after_the_grace_period_are_charged() -> None:
    # Register 0 at 10:00, 5000 at 10:30, 10000 at 11:00, still 10000 at 11:30 and at the
    # stop at 12:00: charging ended at 11:00 (the last rise). Idle 60 min - 15 min grace
    # = 45 min x 0.10 = 4.50; energy 10 kWh x 0.40 = 4.00; net = total = 8.50.
    spec = eur(energy_per_kwh="0.40", idle_per_minute="0.10", idle_grace=timedelta(minutes=15))
    samples = [energy("2025-01-15 10:30", 5000), energy("2025-01-15 11:00", 10000),
               energy("2025-01-15 11:30", 10000)]  # fmt: skip
    usage = usage_of(utc("2025-01-15 10:00"), D(0), utc("2025-01-15 12:00"), D(10000), samples)

    priced = price(spec, usage)

    assert (usage.charging, usage.idle) == (timedelta(minutes=60), timedelta(minutes=60))
    assert amounts(priced.lines) == [("energy", None, D(10), D(4)), ("idle_time", None, D(45), D("4.5"))]
    assert priced.total == D("8.50")


def test_a_status_change_between_two_readings_says_when_charging_ended() -> None:
    # As above, but the connector went Charging -> SuspendedEV at 10:50, between the
    # readings of 10:30 and 11:00: idle = 70 min, billable 55 min x 0.10 = 5.50; net 9.50.
    spec = eur(energy_per_kwh="0.40", idle_per_minute="0.10", idle_grace=timedelta(minutes=15))
    samples = [energy("2025-01-15 10:30", 5000), energy("2025-01-15 11:00", 10000)]
    statuses = [status("2025-01-15 10:00:30", ConnectorStatus.CHARGING),
                status("2025-01-15 10:50", ConnectorStatus.SUSPENDED_EV)]  # fmt: skip
    usage = usage_of(
        utc("2025-01-15 10:00"), D(0), utc("2025-01-15 12:00"), D(10000), samples, statuses
    )

    priced = price(spec, usage)

    assert usage.charging_end == utc("2025-01-15 10:50")
    assert amounts(priced.lines)[-1] == ("idle_time", None, D(55), D("5.5"))
    assert priced.total == D("9.50")


def test_idle_within_the_grace_period_is_free() -> None:
    spec = eur(idle_per_minute="0.10", idle_grace=timedelta(minutes=15), session_fee="1")
    samples = [energy("2025-01-15 11:00", 10000)]
    usage = usage_of(utc("2025-01-15 10:00"), D(0), utc("2025-01-15 11:10"), D(10000), samples)

    assert [line.component for line in price(spec, usage).lines] == [Component.SESSION_FEE]


def test_a_cheap_session_is_raised_to_the_minimum_price() -> None:
    # 1 kWh x 0.30 = 0.30 < 2.00: adjustment +1.70, net 2.00; total 2.00 x 1.19 = 2.38.
    spec = eur(energy_per_kwh="0.30", min_price="2.00", tax_rate="0.19")
    usage = usage_of(utc("2025-01-15 10:00"), D(0), utc("2025-01-15 10:10"), D(1000), [])

    priced = price(spec, usage)

    assert amounts(priced.lines)[-1] == ("minimum_price", None, D(1), D("1.7"))
    assert (priced.net, priced.tax, priced.total) == (D("2.00"), D("0.38"), D("2.38"))


def test_an_expensive_session_is_capped_at_the_maximum_price() -> None:
    # 50 kWh x 0.30 = 15.00 > 10.00: adjustment -5.00, net 10.00; total x 1.21 = 12.10.
    spec = eur(energy_per_kwh="0.30", max_price="10.00", tax_rate="0.21")
    usage = usage_of(utc("2025-01-15 10:00"), D(0), utc("2025-01-15 14:00"), D(50000), [])

    priced = price(spec, usage)

    assert amounts(priced.lines)[-1] == ("maximum_price", None, D(1), D(-5))
    assert (priced.net, priced.tax, priced.total) == (D("10.00"), D("2.10"), D("12.10"))


def test_half_a_cent_is_rounded_up() -> None:
    # 0.5 kWh x 0.25 = 0.125 -> 0.13 (half up; half-even would give 0.12).
    spec = eur(energy_per_kwh="0.25")
    usage = usage_of(utc("2025-01-15 10:00"), D(0), utc("2025-01-15 10:10"), D(500), [])

    assert price(spec, usage).total == D("0.13")


def test_yen_have_no_minor_unit() -> None:
    # 6.379 kWh x 35 = 223.265 -> net 223; x 1.10 = 245.5915 -> total 246; tax 23.
    spec = eur(currency="JPY", energy_per_kwh="35", tax_rate="0.10")
    usage = usage_of(utc("2025-01-15 10:00"), D(0), utc("2025-01-15 10:30"), D(6379), [])

    priced = price(spec, usage)

    assert (priced.net, priced.tax, priced.total) == (D(223), D(23), D(246))
    assert str(priced.total) == "246"


def test_the_night_the_clocks_go_forward_has_one_hour_less_at_the_night_price() -> None:
    # Paris, Sunday 30 March 2025: 02:00 local jumps to 03:00. Night 00:00-06:00 local is
    # 23:00 UTC (29 March) to 04:00 UTC: 300 real minutes x 0.01 = 3.00; then 04:00-05:00
    # UTC at the base 0.02/min: 60 x 0.02 = 1.20. Total 4.20.
    night = TimeOfUsePeriod("night", EVERY_DAY, time(0), time(6), charging_per_minute=D("0.01"))
    spec = eur(charging_per_minute="0.02", time_zone="Europe/Paris", periods=(night,))
    usage = usage_of(utc("2025-03-29 23:00"), D(0), utc("2025-03-30 05:00"), D(6000), [])

    priced = price(spec, usage)

    assert amounts(priced.lines) == [
        ("charging_time", "night", D(300), D(3)),
        ("charging_time", None, D(60), D("1.2")),
    ]
    assert priced.total == D("4.20")


def test_a_night_period_written_as_two_periods_spans_midnight() -> None:
    # 22:00-24:00 and 00:00-06:00 in UTC at 0.20/kWh, base 0.40/kWh. 21:00-23:00 at an
    # even 6 kW: 6 kWh before 22:00 x 0.40 = 2.40, 6 kWh after x 0.20 = 1.20; 3.60.
    late = TimeOfUsePeriod("night", EVERY_DAY, time(22), time(0), energy_per_kwh=D("0.20"))
    early = TimeOfUsePeriod("night", EVERY_DAY, time(0), time(6), energy_per_kwh=D("0.20"))
    spec = eur(energy_per_kwh="0.40", periods=(late, early))
    usage = usage_of(utc("2025-01-15 21:00"), D(0), utc("2025-01-15 23:00"), D(12000), [])

    priced = price(spec, usage)

    assert amounts(priced.lines) == [("energy", None, D(6), D("2.4")), ("energy", "night", D(6), D("1.2"))]
    assert priced.total == D("3.60")


def test_a_free_tariff_prices_nothing() -> None:
    usage = usage_of(utc("2025-01-15 10:00"), D(0), utc("2025-01-15 11:00"), D(6000), [])

    priced = price(TariffSpec("EUR"), usage)

    assert (priced.lines, priced.total) == ((), D("0.00"))


def test_minutes_are_exact_to_the_microsecond() -> None:
    assert minutes(timedelta(seconds=90)) == D("1.5")
    assert minutes(timedelta(microseconds=60)) == D("0.000001")


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"days": frozenset({0})}, "ISO weekdays"),
        ({"start": time(20), "end": time(17)}, "end must be after start"),
    ],
)
def test_invalid_periods_are_refused(period: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"days": WEEKDAYS, "start": time(17), "end": time(20), **period}
    with pytest.raises(ValueError, match=message):
        TimeOfUsePeriod("peak", **values)  # type: ignore[arg-type]


def test_invalid_tariffs_are_refused() -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        TariffSpec("euro")
    with pytest.raises(ValueError, match="negative"):
        eur(energy_per_kwh="-0.1")
    with pytest.raises(ValueError, match="min_price is above"):
        eur(min_price="5", max_price="1")

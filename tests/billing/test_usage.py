"""What a session used: the energy curve and when charging ended (docs/billing.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from decimal import Decimal as D

from csms.domain import ConnectorStatus
from csms.domain.billing import TimeOfUsePeriod
from csms.services.billing.timeofuse import split
from csms.services.billing.usage import usage_of
from tests.billing.kit import energy, eur, power, status, utc

START, STOP = utc("2025-01-15 10:00"), utc("2025-01-15 11:00")


def test_energy_is_meter_stop_minus_meter_start_whatever_the_readings_say() -> None:
    samples = [
        energy("2025-01-15 10:20", 3000),
        energy("2025-01-15 10:10", 5000),  # out of order
        energy("2025-01-15 10:30", 2000),  # the register went down: ignored
        energy("2025-01-15 10:40", 9000),  # above meterStop: capped
    ]
    usage = usage_of(START, D(1000), STOP, D(7000), samples)

    assert usage.energy_wh == 6000
    assert [point.wh for point in usage.points] == [1000, 5000, 5000, 5000, 7000, 7000]


def test_kwh_readings_phases_and_signed_data() -> None:
    samples = [
        energy("2025-01-15 10:30", "2.5", unit="kWh"),
        energy("2025-01-15 10:40", "<signed>"),
        energy("2025-01-15 10:45", 9999, unit="varh"),
        energy("2025-01-15 10:50", 2600),
    ]
    samples[-1] = replace(samples[-1], phase="L1")  # one phase only: not the whole meter
    usage = usage_of(START, D(0), STOP, None, samples)

    assert [point.wh for point in usage.points] == [0, 2500, 2500]
    assert usage.charging_end == utc("2025-01-15 10:30")


def test_a_session_that_never_drew_energy_is_idle_from_the_start() -> None:
    usage = usage_of(START, D(0), STOP, D(0), [energy("2025-01-15 10:30", 0)])

    assert (usage.charging, usage.idle) == (timedelta(0), timedelta(hours=1))


def test_energy_rising_at_the_stop_means_charging_until_the_stop() -> None:
    usage = usage_of(START, D(0), STOP, D(500), [energy("2025-01-15 10:30", 400)])

    assert usage.charging_end == STOP


def test_positive_power_is_a_sign_of_charging() -> None:
    samples = [energy("2025-01-15 10:10", 1000), power("2025-01-15 10:25", 3500),
               power("2025-01-15 10:35", 0), energy("2025-01-15 10:50", 1000)]  # fmt: skip
    usage = usage_of(START, D(0), STOP, D(1000), samples)

    assert usage.charging_end == utc("2025-01-15 10:25")


def test_a_charging_status_lasts_until_the_next_status() -> None:
    statuses = [status("2025-01-15 10:00", ConnectorStatus.CHARGING),
                status("2025-01-15 10:42", ConnectorStatus.SUSPENDED_EV),
                status("2025-01-15 11:01", ConnectorStatus.FINISHING)]  # fmt: skip
    usage = usage_of(START, D(0), STOP, D(0), [], statuses)

    assert usage.charging_end == utc("2025-01-15 10:42")


def test_a_charging_status_to_the_end_means_no_idle_time() -> None:
    statuses = [status("2025-01-15 10:00", ConnectorStatus.CHARGING)]
    usage = usage_of(START, D(0), STOP, D(0), [], statuses)

    assert usage.idle == timedelta(0)


def test_a_running_session_ends_at_its_newest_reading() -> None:
    samples = [energy("2025-01-15 10:15", 1500), energy("2025-01-15 10:30", 3000)]
    usage = usage_of(START, D(0), utc("2025-01-15 10:30"), None, samples)

    assert (usage.energy_wh, usage.charging_end) == (D(3000), utc("2025-01-15 10:30"))


def test_the_night_the_clocks_go_back_the_repeated_hour_counts_twice() -> None:
    # Paris, Sunday 26 October 2025: 03:00 local goes back to 02:00. A period 00:00-06:00
    # local is 22:00 UTC (25 Oct) to 05:00 UTC: seven real hours.
    night = TimeOfUsePeriod("night", frozenset(range(1, 8)), time(0), time(6))
    spec = eur(time_zone="Europe/Paris", periods=(night,))

    slices = split(spec, utc("2025-10-25 21:00"), utc("2025-10-26 06:00"))

    assert [(s.start, s.end, s.period and s.period.name) for s in slices] == [
        (utc("2025-10-25 21:00"), utc("2025-10-25 22:00"), None),
        (utc("2025-10-25 22:00"), utc("2025-10-26 05:00"), "night"),
        (utc("2025-10-26 05:00"), utc("2025-10-26 06:00"), None),
    ]

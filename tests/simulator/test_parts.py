"""The pure parts: configuration keys, the meter, scripted answers, the station config."""

from __future__ import annotations

import pytest

from csms.ocpp import ErrorKind
from csms.simulator import EnergyMeter, StationConfig, station_id_from_url
from csms.simulator.configuration import ConfigurationStore, standard_keys
from csms.simulator.scripting import Script, ScriptedAnswer, error_kind


def store() -> ConfigurationStore:
    return ConfigurationStore(standard_keys(connectors=2, heartbeat_interval=60, meter_interval=30))


def test_change_configuration_answers_like_a_station() -> None:
    keys = store()
    seen: list[tuple[str, str]] = []
    keys.on_change(lambda name, value: seen.append((name, value)))

    assert keys.change("HeartbeatInterval", "120") == "Accepted"
    assert keys.change("HeartbeatInterval", "-1") == "Rejected"
    assert keys.change("NumberOfConnectors", "3") == "Rejected"  # read-only
    assert keys.change("heartbeatinterval", "5") == "NotSupported"  # keys are case-sensitive
    assert keys.change("StopTransactionOnInvalidId", "FALSE") == "Accepted"
    assert keys.change("MeterValuesSampledData", "Voltage,Bogus") == "Rejected"
    assert seen == [("HeartbeatInterval", "120"), ("StopTransactionOnInvalidId", "false")]
    assert keys.get_int("HeartbeatInterval") == 120
    assert keys.get_bool("StopTransactionOnInvalidId") is False


def test_get_configuration_splits_known_and_unknown_keys() -> None:
    known, unknown = store().lookup(["NumberOfConnectors", "Nope"])

    assert [(k.name, k.value, k.readonly) for k in known] == [("NumberOfConnectors", "2", True)]
    assert unknown == ["Nope"]
    assert len(store().lookup(None)[0]) > 20


def test_the_meter_integrates_power_over_time() -> None:
    meter = EnergyMeter(voltage=230.0, max_current=32.0)
    meter.start(0.0)

    reading = meter.read(3600.0)  # one hour at 7360 W

    assert reading.power_active_import == 7360.0
    assert reading.energy_active_import_register == pytest.approx(7360.0)
    meter.limit(16.0, 3600.0)
    assert meter.read(7200.0).energy_active_import_register == pytest.approx(7360.0 + 3680.0)
    meter.stop(7200.0)
    assert meter.read(9000.0).current_import == 0.0
    assert meter.meter_value_wh(9000.0) == 11040


def test_a_time_scale_speeds_the_meter_up() -> None:
    meter = EnergyMeter(voltage=230.0, max_current=10.0, time_scale=3600.0)
    meter.start(0.0)

    assert meter.read(1.0).energy_active_import_register == pytest.approx(2300.0)


def test_once_answers_are_used_up_and_always_answers_stay() -> None:
    script = Script()
    script.add("Reset", ScriptedAnswer(status="Rejected"))
    script.add("Reset", ScriptedAnswer(status="Accepted", always=True))

    taken = [script.take("Reset") for _ in range(3)]

    assert [a.status if a else None for a in taken] == ["Rejected", "Accepted", "Accepted"]
    assert script.take("ClearCache") is None


def test_error_codes_are_read_in_either_spelling() -> None:
    assert error_kind("NotSupported") is ErrorKind.NOT_SUPPORTED
    assert error_kind("OccurenceConstraintViolation") is ErrorKind.OCCURRENCE_CONSTRAINT
    with pytest.raises(ValueError, match="unknown OCPP error code"):
        error_kind("Nope")


def test_the_station_id_is_the_last_segment_of_the_url() -> None:
    assert station_id_from_url("ws://h:9000/ocpp/CP-1") == "CP-1"
    assert StationConfig(url="wss://h/ocpp/CP-2/").station_id == "CP-2"
    assert StationConfig(url="ws://h/ocpp/A", station_id="B").station_id == "B"
    with pytest.raises(ValueError, match=r"only 1\.6"):
        StationConfig(url="ws://h/ocpp/A", version="2.0.1")
    with pytest.raises(ValueError, match="station id"):
        StationConfig(url="ws://h/")

"""The seed flow from the station's side: Authorize, StartTransaction, MeterValues, StopTransaction
(OCPP 1.6 §4.1, §4.7, §4.8, §4.9, §4.10)."""

from __future__ import annotations

import pytest

from csms.simulator import ScenarioFailed, TransactionRejected
from tests.simulator.conftest import StationFactory, registered
from tests.simulator.fake_csms import FakeCentralSystem, Json

MEASURANDS = [
    ("Voltage", "V"),
    ("Current.Import", "A"),
    ("Power.Active.Import", "W"),
    ("Current.Offered", "A"),
    ("Energy.Active.Import.Register", "Wh"),
]


def statuses_of(csms: FakeCentralSystem, connector_id: int) -> list[str]:
    return [
        s["status"] for s in csms.messages("StatusNotification") if s["connectorId"] == connector_id
    ]


def energy(sample: Json) -> float:
    values = sample["meterValue"][0]["sampledValue"]
    return float(
        next(v["value"] for v in values if v["measurand"] == "Energy.Active.Import.Register")
    )


async def test_charge_scenario_sends_start_meter_values_and_stop_with_transaction_data(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = make_station(meter_samples=3, meter_time_scale=3600.0)

    result = await station.run_scenario("charge")

    assert result.ok
    assert result.transaction_id == 11902
    start = csms.messages("StartTransaction")[0]
    assert (start["connectorId"], start["idTag"], start["meterStart"]) == (1, "SIMTAG01", 0)
    samples = csms.messages("MeterValues")
    assert len(samples) == 3
    for sample in samples:
        assert (sample["connectorId"], sample["transactionId"]) == (1, 11902)
        values = sample["meterValue"][0]["sampledValue"]
        assert [(v["measurand"], v["unit"]) for v in values] == MEASURANDS
        assert {v["context"] for v in values} == {"Sample.Periodic"}
    readings = [energy(sample) for sample in samples]
    assert readings == sorted(readings)
    assert readings[0] > 0
    stop = csms.messages("StopTransaction")[0]
    assert (stop["transactionId"], stop["idTag"], stop["reason"]) == (11902, "SIMTAG01", "Local")
    [end] = stop["transactionData"]
    [register] = end["sampledValue"]
    assert register["measurand"] == "Energy.Active.Import.Register"
    assert (register["context"], register["unit"]) == ("Transaction.End", "Wh")
    assert stop["meterStop"] == int(float(register["value"]))
    assert stop["meterStop"] >= int(readings[-1]) > 0
    assert result.meter_stop == stop["meterStop"]
    assert result.energy_wh == pytest.approx(float(register["value"]), abs=1e-3)
    assert statuses_of(csms, 1) == ["Available", "Preparing", "Charging", "Finishing", "Available"]
    assert csms.actions()[-2:] == ["StopTransaction", "StatusNotification"]
    assert not station.connected


async def test_power_is_voltage_times_current_and_energy_integrates_it(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(voltage=241.1, max_current=16.0))
    await station.start_transaction(1)

    await station.send_meter_values(1)

    values = {
        v["measurand"]: float(v["value"])
        for v in csms.messages("MeterValues")[0]["meterValue"][0]["sampledValue"]
    }
    assert values["Voltage"] == pytest.approx(241.1)
    assert values["Current.Offered"] == 16.0
    assert values["Current.Import"] == 16.0
    assert values["Power.Active.Import"] == pytest.approx(241.1 * 16.0, abs=1)


async def test_meter_start_of_the_next_transaction_is_meter_stop_of_the_last(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(meter_time_scale=36000.0, meter_interval=0))
    first = await station.start_transaction(1)
    await station.send_meter_values(1)
    await station.stop_transaction(1)

    second = await station.start_transaction(1, "OTHER")

    assert second == first + 1
    stop, start = csms.messages("StopTransaction")[0], csms.messages("StartTransaction")[1]
    assert start["meterStart"] == stop["meterStop"] > 0
    assert start["idTag"] == "OTHER"


async def test_a_rejected_id_tag_stops_the_transaction_with_reason_deauthorized(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    csms.responders["StartTransaction"] = lambda _: {
        "transactionId": 5,
        "idTagInfo": {"status": "Blocked"},
    }
    station = await registered(make_station())

    with pytest.raises(TransactionRejected, match="Blocked"):
        await station.start_transaction(1, "BAD")

    stop = csms.messages("StopTransaction")[0]
    assert (stop["transactionId"], stop["reason"]) == (5, "DeAuthorized")
    assert station.transaction(1) is None
    assert statuses_of(csms, 1)[-1] == "Available"


async def test_charge_scenario_fails_when_authorize_is_rejected(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    csms.responders["Authorize"] = lambda _: {"idTagInfo": {"status": "Invalid"}}
    station = make_station()

    with pytest.raises(ScenarioFailed, match="Invalid"):
        await station.run_scenario("charge")

    assert csms.messages("StartTransaction") == []


async def test_meter_values_sampled_data_chooses_the_measurands(
    csms: FakeCentralSystem, make_station: StationFactory
) -> None:
    station = await registered(make_station(meter_interval=0))
    await station.start_transaction(1)
    reply = await csms.call(
        "CP-1", "ChangeConfiguration", {"key": "MeterValuesSampledData", "value": "Voltage"}
    )

    await station.send_meter_values(1)

    assert reply[2] == {"status": "Accepted"}
    values = csms.messages("MeterValues")[0]["meterValue"][0]["sampledValue"]
    assert [v["measurand"] for v in values] == ["Voltage"]

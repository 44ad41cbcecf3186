"""OCPP 1.6 StartTransaction / MeterValues / StopTransaction, on in-memory stores."""

from __future__ import annotations

from typing import Any

from csms.domain import IdTag, TransactionState
from csms.storage import TransactionFilter
from tests.handlers.conftest import Harness

START = {"connectorId": 1, "idTag": "remote-11902", "meterStart": 0,
         "timestamp": "2025-01-15T02:09:54.000Z"}
SEED_METER_VALUES: dict[str, Any] = {
    "connectorId": 1,
    "meterValue": [{
        "timestamp": "2025-01-15T02:19:54.000Z",
        "sampledValue": [
            {"value": "241.10", "measurand": "Voltage", "unit": "V"},
            {"value": "0.00", "measurand": "Current.Import", "unit": "A"},
            {"value": "0", "measurand": "Power.Active.Import", "unit": "W"},
            {"value": "32", "measurand": "Current.Offered", "unit": "A"},
            {"value": "1200.5", "measurand": "Energy.Active.Import.Register", "unit": "Wh",
             "context": "Sample.Periodic", "location": "Outlet", "phase": "L1"},
        ],
    }],
}
SEED_STOP: dict[str, Any] = {
    "idTag": "remote-11902", "timestamp": "2025-01-15T02:40:49", "meterStop": 6379,
    "reason": "EVDisconnected",
    "transactionData": [{"timestamp": "2025-01-15T02:40:49", "sampledValue": [
        {"value": "6379.259277", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}],
}


async def start(harness: Harness, **changes: Any) -> int:
    answer = await harness.call("StartTransaction", {**START, **changes})
    transaction_id: int = answer["transactionId"]
    return transaction_id


async def test_start_transaction_assigns_an_integer_id_and_answers_the_tag(harness: Harness) -> None:
    await harness.stores.id_tags.upsert(IdTag("remote-11902"))
    answer = await harness.call("StartTransaction", {**START, "reservationId": 7})
    assert answer == {"idTagInfo": {"status": "Accepted"}, "transactionId": 1}
    transaction = await harness.stores.transactions.get(1)
    assert transaction is not None
    assert (transaction.station_id, transaction.evse_id, transaction.connector_id) == ("CP1", 1, 1)
    assert (transaction.reservation_id, transaction.meter_start) == (7, 0)
    assert transaction.started_at.isoformat() == "2025-01-15T02:09:54+00:00"


async def test_retransmitted_start_transaction_returns_the_same_id(harness: Harness) -> None:
    await harness.stores.id_tags.upsert(IdTag("remote-11902"))
    first = await harness.call("StartTransaction", START)
    again = await harness.call("StartTransaction", START)
    assert again == first == {"idTagInfo": {"status": "Accepted"}, "transactionId": 1}
    other = await harness.call("StartTransaction", {**START, "connectorId": 2, "idTag": "B"})
    assert other["transactionId"] == 2


async def test_start_with_an_unknown_tag_is_recorded_and_answered_invalid(harness: Harness) -> None:
    answer = await harness.call("StartTransaction", START)
    assert answer["idTagInfo"] == {"status": "Invalid"}
    assert await harness.stores.transactions.get(answer["transactionId"]) is not None


async def test_meter_values_store_every_field_with_the_transaction(harness: Harness) -> None:
    transaction_id = await start(harness)
    answer = await harness.call("MeterValues", {**SEED_METER_VALUES, "transactionId": transaction_id})
    assert answer == {}
    samples = await harness.stores.meter_values.for_transaction(transaction_id)
    assert [(s.measurand, s.value, s.unit) for s in samples] == [
        ("Voltage", "241.10", "V"), ("Current.Import", "0.00", "A"),
        ("Power.Active.Import", "0", "W"), ("Current.Offered", "32", "A"),
        ("Energy.Active.Import.Register", "1200.5", "Wh")]
    energy = samples[-1]
    assert (energy.context, energy.location, energy.phase) == ("Sample.Periodic", "Outlet", "L1")
    assert energy.received_at == harness.clock.now()


async def test_meter_values_without_transaction_id_inside_a_transaction_are_attached(
    harness: Harness,
) -> None:
    transaction_id = await start(harness)
    await harness.call("MeterValues", SEED_METER_VALUES)
    assert len(await harness.stores.meter_values.for_transaction(transaction_id)) == 5


async def test_meter_values_outside_any_transaction_are_kept_for_the_station(harness: Harness) -> None:
    await harness.call("MeterValues", {**SEED_METER_VALUES, "connectorId": 2})
    samples = await harness.stores.meter_values.for_station("CP1")
    assert len(samples) == 5
    assert {s.transaction_id for s in samples} == {None}


async def test_sampled_value_defaults_are_those_of_the_spec(harness: Harness) -> None:
    await harness.call("MeterValues", {"connectorId": 0, "meterValue": [
        {"timestamp": "2025-01-15T02:09:54Z", "sampledValue": [{"value": "42"}]}]})
    [sample] = await harness.stores.meter_values.for_station("CP1")
    assert (sample.measurand, sample.unit) == ("Energy.Active.Import.Register", "Wh")


async def test_the_seed_stop_transaction_closes_it_with_energy_and_transaction_data(
    harness: Harness,
) -> None:
    await harness.stores.id_tags.upsert(IdTag("remote-11902"))
    transaction_id = await start(harness)
    answer = await harness.call("StopTransaction", {**SEED_STOP, "transactionId": transaction_id})
    assert answer == {"idTagInfo": {"status": "Accepted"}}
    transaction = await harness.stores.transactions.get(transaction_id)
    assert transaction is not None
    assert transaction.state is TransactionState.STOPPED
    assert (transaction.meter_stop, transaction.energy_wh, transaction.stop_reason) == (
        6379, 6379, "EVDisconnected")
    assert transaction.stopped_at is not None
    assert transaction.stopped_at.isoformat() == "2025-01-15T02:40:49+00:00"
    [end] = await harness.stores.meter_values.for_transaction(transaction_id)
    assert (end.value, end.evse_id, end.connector_id) == ("6379.259277", 1, 1)


async def test_stop_transaction_with_an_unknown_id_is_accepted_and_recorded(harness: Harness) -> None:
    answer = await harness.call("StopTransaction", {"transactionId": 999, "meterStop": 10,
                                                    "timestamp": "2025-01-15T03:00:00Z"})
    assert answer == {}
    [recorded] = await harness.stores.transactions.search(TransactionFilter(station_id="CP1"))
    assert (recorded.station_stop_unknown, recorded.station_tx_id, recorded.meter_stop) == (True, "999", 10)
    again = await harness.call("StopTransaction", {"transactionId": 999, "meterStop": 10,
                                                   "timestamp": "2025-01-15T03:00:00Z"})
    assert again == {}


async def test_stop_for_another_stations_transaction_is_not_applied_to_it(harness: Harness) -> None:
    transaction_id = await start(harness)
    harness.station_id = "CP2"
    await harness.services.stations.add("CP2")
    await harness.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 10,
                                           "timestamp": "2025-01-15T03:00:00Z"})
    untouched = await harness.stores.transactions.get(transaction_id)
    assert untouched is not None
    assert untouched.state is TransactionState.ACTIVE


async def test_offline_queued_messages_are_reconciled_into_their_transaction(harness: Harness) -> None:
    """A station that charged while offline sends, after reconnecting, old-timestamped
    StartTransaction, MeterValues without a transaction id, and StopTransaction."""
    harness.clock.advance(7200)  # received two hours after the events
    transaction_id = await start(harness, timestamp="2025-01-15T02:09:54Z")
    await harness.call("MeterValues", SEED_METER_VALUES)  # 02:19:54, no transactionId
    await harness.call("MeterValues", {**SEED_METER_VALUES, "transactionId": 4242})  # unknown id
    await harness.call("StopTransaction", {**SEED_STOP, "transactionId": transaction_id})
    late = {**SEED_METER_VALUES, "meterValue": [{**SEED_METER_VALUES["meterValue"][0],
                                                 "timestamp": "2025-01-15T05:00:00Z"}]}
    await harness.call("MeterValues", late)  # after the stop: not part of it
    samples = await harness.stores.meter_values.for_transaction(transaction_id)
    assert len(samples) == 5 + 5 + 1
    transaction = await harness.stores.transactions.get(transaction_id)
    assert transaction is not None
    assert transaction.received_at == harness.clock.now()
    assert transaction.started_at.isoformat() == "2025-01-15T02:09:54+00:00"

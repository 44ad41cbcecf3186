"""A simulated OCPP 1.6J charge point, for tests, demos and load (client side of ``csms.ocpp``).

Drive one station step by step::

    station = SimulatedStation(StationConfig(url="ws://127.0.0.1:8180/ocpp/CP-1"))
    await station.connect()
    await station.boot()
    await station.send_statuses()
    transaction_id = await station.start_transaction(1)
    ...
    await station.stop_transaction(1, reason="Local")
    await station.close()

or run a named scenario (``boot``, ``charge``, ``idle``) with
:meth:`SimulatedStation.run_scenario`, or from the shell with ``csms simulate``
(:data:`simulate_command`).
"""

from csms.simulator.cli import simulate_command
from csms.simulator.config import StationConfig, station_id_from_url
from csms.simulator.configuration import ConfigurationStore
from csms.simulator.errors import (
    BootRejected,
    CallErrorReceived,
    CallTimeout,
    ConnectFailed,
    ConnectionLost,
    ScenarioFailed,
    SimulatorError,
    TransactionRejected,
)
from csms.simulator.meter import EnergyMeter, Reading
from csms.simulator.scenarios import SCENARIOS, ScenarioResult, run_scenario
from csms.simulator.state import Connector, Reservation, Transaction
from csms.simulator.station import SimulatedStation

__all__ = [
    "SCENARIOS",
    "BootRejected",
    "CallErrorReceived",
    "CallTimeout",
    "ConfigurationStore",
    "ConnectFailed",
    "ConnectionLost",
    "Connector",
    "EnergyMeter",
    "Reading",
    "Reservation",
    "ScenarioFailed",
    "ScenarioResult",
    "SimulatedStation",
    "SimulatorError",
    "StationConfig",
    "Transaction",
    "TransactionRejected",
    "run_scenario",
    "simulate_command",
    "station_id_from_url",
]

"""Named scenarios: what ``csms simulate --scenario`` runs, also usable from tests.

``boot``   connect, BootNotification (1.6 §4.2), StatusNotification for connector 0 and
           every connector (§4.9), then stay connected and heartbeat until stopped.
``idle``   the same registration, then wait for the central system to drive the
           station (remote start/stop, configuration, resets, §5) until stopped.
``charge`` the whole transaction from the station's side, as in a remote-started
           session: register, Authorize (§4.1), StartTransaction (§4.8), MeterValues at
           the sample interval (§4.7), StopTransaction with meterStop and transactionData
           (§4.10), then disconnect and report.

A scenario fails with a :class:`~csms.simulator.errors.SimulatorError`: boot not
accepted, id tag rejected, connection refused or lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from csms.simulator.errors import ScenarioFailed, TransactionRejected

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation

_T = TypeVar("_T")
CHARGE_CONNECTOR = 1


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """How a scenario ended; ``transaction_id`` and ``energy_wh`` for ``charge``."""

    station_id: str
    scenario: str
    ok: bool = True
    transaction_id: int | None = None
    meter_start: int | None = None
    meter_stop: int | None = None
    energy_wh: float | None = None
    meter_values: int = 0

    def summary(self) -> str:
        """One line for people: the transaction id and the energy delivered."""
        if self.transaction_id is None:
            return f"{self.scenario} finished"
        return (
            f"transaction {self.transaction_id} done: {self.energy_wh or 0.0:.3f} Wh delivered "
            f"(meterStart {self.meter_start} Wh, meterStop {self.meter_stop} Wh, "
            f"{self.meter_values} MeterValues)"
        )


async def register(station: SimulatedStation) -> None:
    """Connect, boot until accepted, report every connector's status."""
    await station.connect()
    await station.boot()
    await station.send_statuses()


async def stay(station: SimulatedStation) -> ScenarioResult:
    """``boot`` and ``idle``: register, then run until cancelled or the connection is lost."""
    await register(station)
    await station.wait_lost()
    raise ScenarioFailed("connection lost")  # wait_lost only returns by raising


async def charge(station: SimulatedStation) -> ScenarioResult:
    """``charge``: one whole transaction on connector 1, then disconnect."""
    config = station.config
    await register(station)
    info = await station.authorize()
    if info.status != "Accepted":
        raise TransactionRejected(config.id_tag, info.status)
    await station.start_transaction(CHARGE_CONNECTOR)
    await _charge_for_a_while(station)
    if await station.stop_transaction(CHARGE_CONNECTOR) is None:
        raise ScenarioFailed("StopTransaction was not delivered")
    tx = station.finished[-1]
    return ScenarioResult(
        station_id=station.station_id,
        scenario="charge",
        transaction_id=tx.transaction_id,
        meter_start=tx.meter_start,
        meter_stop=tx.meter_stop,
        energy_wh=tx.energy_wh,
        meter_values=tx.meter_values_sent,
    )


async def _charge_for_a_while(station: SimulatedStation) -> None:
    samples, seconds = station.config.meter_samples, station.config.charge_seconds
    interval = float(station.configuration.value("MeterValueSampleInterval"))
    if samples is not None and interval > 0:
        await station.wait_meter_values(CHARGE_CONNECTOR, samples)
    elif samples is not None:
        for _ in range(samples):
            await station.send_meter_values(CHARGE_CONNECTOR)
    elif seconds is not None:
        await asyncio.sleep(seconds)


SCENARIOS: dict[str, Callable[[SimulatedStation], Coroutine[Any, Any, ScenarioResult]]] = {
    "boot": stay,
    "charge": charge,
    "idle": stay,
}


async def run_scenario(station: SimulatedStation, name: str) -> ScenarioResult:
    """Run scenario ``name``; fails as soon as the connection is lost unexpectedly."""
    runner = SCENARIOS.get(name)
    if runner is None:
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(sorted(SCENARIOS))}")
    result = await _until_lost(station, runner(station))
    if name == "charge":
        await station.disconnect()
    return result


async def _until_lost(station: SimulatedStation, work: Coroutine[Any, Any, _T]) -> _T:
    body = asyncio.ensure_future(work)
    watchdog = asyncio.ensure_future(station.wait_lost())
    try:
        await asyncio.wait({body, watchdog}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (body, watchdog):
            task.cancel()
        await asyncio.gather(body, watchdog, return_exceptions=True)
    if not body.cancelled():
        return body.result()  # or raises why the scenario failed
    if not watchdog.cancelled() and (error := watchdog.exception()) is not None:
        raise error  # ConnectionLost, or why a reboot failed
    raise ScenarioFailed("connection lost")

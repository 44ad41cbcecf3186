"""``csms simulate``: run one or more simulated 1.6 stations against a central system.

The CLI owner attaches :data:`simulate_command` to the ``csms`` group. It prints one line
per thing a station does and, for ``charge``, a summary with the transaction id and the
energy delivered. The exit status is 1 when any station's scenario failed (boot not
accepted, id tag rejected, connection refused or lost, or ``charge`` interrupted), 0
otherwise, including ``boot`` and ``idle`` stopped with Ctrl-C.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import click

from csms.simulator.config import SUPPORTED_VERSIONS, StationConfig, station_id_from_url
from csms.simulator.scenarios import SCENARIOS, ScenarioResult
from csms.simulator.station import SimulatedStation


def station_urls(url: str, count: int) -> list[str]:
    """``count`` URLs: the URL itself when 1, else its station id suffixed ``-1`` … ``-N``."""
    if count == 1:
        return [url]
    station_id = station_id_from_url(url)
    base = url.rstrip("/")[: -len(station_id)]
    return [f"{base}{station_id}-{n}" for n in range(1, count + 1)]


async def _run_one(config: StationConfig, scenario: str, many: bool) -> ScenarioResult | None:
    prefix = f"[{config.station_id}] " if many else ""

    def echo(line: str) -> None:
        click.echo(f"{datetime.now():%H:%M:%S.%f}"[:12] + f" {prefix}{line}")

    station = SimulatedStation(config, on_event=echo)
    try:
        result = await station.run_scenario(scenario)
    except Exception as error:  # any failure ends this station's run; reported, exit 1
        click.echo(f"{prefix}FAILED: {error}", err=True)
        return None
    finally:
        await station.close()
    if result.transaction_id is not None:
        echo(result.summary())
    return result


async def _run_all(configs: list[StationConfig], scenario: str) -> bool:
    many = len(configs) > 1
    async with asyncio.TaskGroup() as group:  # _run_one reports failures instead of raising
        tasks = [group.create_task(_run_one(config, scenario, many)) for config in configs]
    return all((result := task.result()) is not None and result.ok for task in tasks)


@click.command("simulate")
@click.option("--url", required=True, help="Central system URL, ws://HOST:PORT/ocpp/ID.")
@click.option(
    "--version",
    "version",
    type=click.Choice(SUPPORTED_VERSIONS),
    default="1.6",
    show_default=True,
    help="OCPP version (2.0.1 later).",
)
@click.option("--connectors", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--id-tag", default="SIMTAG01", show_default=True, help="Id tag to charge with.")
@click.option(
    "--meter-interval",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds between MeterValues.",
)
@click.option(
    "--scenario",
    type=click.Choice(sorted(SCENARIOS)),
    default="charge",
    show_default=True,
    help="boot: register and heartbeat; charge: one whole transaction; idle: wait for commands.",
)
@click.option("--password", default=None, help="HTTP Basic auth password (security profile 1).")
@click.option(
    "--meter-samples",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="charge: MeterValues to send before stopping.",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Simulate N stations, ids ID-1 … ID-N.",
)
def simulate_command(
    url: str,
    version: str,
    connectors: int,
    id_tag: str,
    meter_interval: float,
    scenario: str,
    password: str | None,
    meter_samples: int,
    count: int,
) -> None:
    """Run simulated OCPP charging stations against a central system."""
    try:
        configs = [
            StationConfig(
                url=station_url,
                version=version,
                connectors=connectors,
                id_tag=id_tag,
                meter_interval=meter_interval,
                password=password,
                meter_samples=meter_samples,
            )
            for station_url in station_urls(url, count)
        ]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--url") from None
    try:
        ok = asyncio.run(_run_all(configs, scenario))
    except KeyboardInterrupt:
        ok = scenario != "charge"  # boot and idle run until stopped; charge was cut short
    if not ok:
        sys.exit(1)

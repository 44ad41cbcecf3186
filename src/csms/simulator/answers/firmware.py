"""Firmware Management profile calls (OCPP 1.6 §5.9 GetDiagnostics, §5.19 UpdateFirmware)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from csms.ocpp.messages import v16
from csms.simulator.answers.common import Answer, seconds_until

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation

FIRMWARE_STEPS: tuple[v16.FirmwareStatus, ...] = (
    "Downloading",
    "Downloaded",
    "Installing",
    "Installed",
)


def get_diagnostics(station: SimulatedStation, request: v16.GetDiagnosticsRequest) -> Answer:
    """A file name, then DiagnosticsStatusNotification Uploading, Uploaded (§5.9, §4.4)."""
    name = f"diagnostics-{station.station_id}-{station.clock():%Y%m%dT%H%M%S}.log"[:255]

    async def upload() -> None:
        await station.send_diagnostics_status("Uploading")
        await asyncio.sleep(station.config.action_delay)
        await station.send_diagnostics_status("Uploaded")

    return Answer(v16.GetDiagnosticsResponse(file_name=name), name, upload)


def update_firmware(station: SimulatedStation, request: v16.UpdateFirmwareRequest) -> Answer:
    """At retrieveDate: FirmwareStatusNotification Downloading … Installed (§5.19, §4.5)."""
    retrieve = request.retrieve_date

    async def install() -> None:
        await asyncio.sleep(seconds_until(retrieve, station.clock()))
        for status in FIRMWARE_STEPS:
            await station.send_firmware_status(status)
            await asyncio.sleep(station.config.action_delay)

    return Answer(v16.UpdateFirmwareResponse(), "answered", install)

"""Every OCPP 1.6J operation a central system initiates, with its typed request and
response (generated from the OCA schemas) and where the specification describes it.

The REST API builds one documented endpoint per entry; :class:`CommandService` sends any
of them. Sections are those of OCPP 1.6 edition 2 ("§5.x") and of the "Improved security
for OCPP 1.6-J" whitepaper (security extension).
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from csms.ocpp.messages import v16


@dataclass(frozen=True, slots=True)
class Command:
    action: str
    request: type[msgspec.Struct]
    response: type[msgspec.Struct]
    profile: str
    section: str
    summary: str


def _command(action: str, profile: str, section: str, summary: str) -> Command:
    return Command(action, v16.REQUESTS[action], v16.RESPONSES[action], profile, section, summary)


_SECURITY = "Security extension"

COMMANDS: dict[str, Command] = {
    c.action: c
    for c in (
        _command("CancelReservation", "Reservation", "§5.1", "Cancel a reservation"),
        _command("ChangeAvailability", "Core", "§5.2", "Make a connector (0: the station) (in)operative"),
        _command("ChangeConfiguration", "Core", "§5.3", "Change one configuration key"),
        _command("ClearCache", "Core", "§5.4", "Clear the authorization cache"),
        _command("ClearChargingProfile", "Smart Charging", "§5.5", "Clear charging profiles"),
        _command("DataTransfer", "Core", "§5.6", "Send vendor-specific data"),
        _command("GetCompositeSchedule", "Smart Charging", "§5.7", "The schedule in force on a connector"),
        _command("GetConfiguration", "Core", "§5.8", "Read configuration keys (all when none given)"),
        _command("GetDiagnostics", "Firmware Management", "§5.9", "Upload diagnostics to a location"),
        _command("GetLocalListVersion", "Local Auth List Management", "§5.10", "The local list's version"),
        _command("RemoteStartTransaction", "Core", "§5.11", "Start a transaction remotely"),
        _command("RemoteStopTransaction", "Core", "§5.12", "Stop a transaction remotely"),
        _command("ReserveNow", "Reservation", "§5.13", "Reserve a connector for an id tag"),
        _command("Reset", "Core", "§5.14", "Reset (reboot) the station, Soft or Hard"),
        _command("SendLocalList", "Local Auth List Management", "§5.15", "Install a local list (Full/Differential)"),
        _command("SetChargingProfile", "Smart Charging", "§5.16", "Install a charging profile"),
        _command("TriggerMessage", "Remote Trigger", "§5.17", "Ask the station to send a message now"),
        _command("UnlockConnector", "Core", "§5.18", "Unlock a connector"),
        _command("UpdateFirmware", "Firmware Management", "§5.19", "Download and install firmware"),
        _command("CertificateSigned", _SECURITY, "A02", "Send the signed certificate chain"),
        _command("DeleteCertificate", _SECURITY, "M04", "Delete an installed root certificate"),
        _command("ExtendedTriggerMessage", _SECURITY, "F06", "Trigger a message (security extension)"),
        _command("GetInstalledCertificateIds", _SECURITY, "M03", "List installed root certificates"),
        _command("GetLog", _SECURITY, "N01", "Upload a diagnostics or security log"),
        _command("InstallCertificate", _SECURITY, "M05", "Install a root certificate"),
        _command("SignedUpdateFirmware", _SECURITY, "L01", "Secure firmware update"),
    )
}
"""Action -> command, for every CSMS-initiated 1.6J action (19 of 1.6, 7 of the extension)."""

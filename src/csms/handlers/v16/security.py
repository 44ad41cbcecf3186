"""OCPP 1.6 security extension (Improved security for OCPP 1.6-J, edition 3), station -> CSMS."""

from __future__ import annotations

import structlog

from csms.handlers.routing import StationContext
from csms.ocpp.messages import v16

_log = structlog.get_logger(__name__)


async def security_event_notification(
    ctx: StationContext, req: v16.SecurityEventNotificationRequest
) -> v16.SecurityEventNotificationResponse:
    """§2.5 of the extension: logged (and kept in the station's message log)."""
    _log.warning(
        "station.security_event",
        station_id=ctx.station_id,
        type=req.type,
        timestamp=req.timestamp.isoformat(),
    )
    return v16.SecurityEventNotificationResponse()


async def sign_certificate(
    ctx: StationContext, req: v16.SignCertificateRequest
) -> v16.SignCertificateResponse:
    """A CSR from the station. csms has no certificate authority configured yet: Rejected."""
    _log.info("station.csr_rejected_no_ca", station_id=ctx.station_id)
    return v16.SignCertificateResponse(status="Rejected")


async def log_status_notification(
    ctx: StationContext, req: v16.LogStatusNotificationRequest
) -> v16.LogStatusNotificationResponse:
    """Progress of a GetLog upload; kept as the station's diagnostics status."""
    await ctx.services.statuses.diagnostics_status(ctx.station_id, req.status)
    return v16.LogStatusNotificationResponse()


async def signed_firmware_status_notification(
    ctx: StationContext, req: v16.SignedFirmwareStatusNotificationRequest
) -> v16.SignedFirmwareStatusNotificationResponse:
    """Progress of a SignedUpdateFirmware; kept as the station's firmware status."""
    await ctx.services.statuses.firmware_status(ctx.station_id, req.status)
    return v16.SignedFirmwareStatusNotificationResponse()

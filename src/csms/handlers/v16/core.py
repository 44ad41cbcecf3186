"""OCPP 1.6J Core profile, station -> CSMS: boot, heartbeat, status, authorize, data transfer.

Each handler translates the typed request, calls one service, translates back
(OCPP 1.6 §4 "Operations initiated by Charge Point", §6 messages).
"""

from __future__ import annotations

from msgspec import UNSET, UnsetType

from csms.domain import ConnectorStatus, StatusEvent
from csms.handlers.routing import StationContext
from csms.handlers.v16.convert import tag_info, unset_to_none
from csms.ocpp.messages import v16
from csms.services import as_utc
from csms.storage import BootInfo


async def boot_notification(
    ctx: StationContext, req: v16.BootNotificationRequest
) -> v16.BootNotificationResponse:
    """§4.2 / §6.5: store what the station says about itself; Accepted/Pending/Rejected."""
    info = BootInfo(
        ocpp_version=ctx.version.value,
        vendor=req.charge_point_vendor,
        model=req.charge_point_model,
        serial_number=unset_to_none(req.charge_point_serial_number),
        charge_box_serial_number=unset_to_none(req.charge_box_serial_number),
        firmware_version=unset_to_none(req.firmware_version),
        iccid=unset_to_none(req.iccid),
        imsi=unset_to_none(req.imsi),
        meter_type=unset_to_none(req.meter_type),
        meter_serial_number=unset_to_none(req.meter_serial_number),
    )
    decision = await ctx.services.stations.boot(ctx.station_id, info)
    return v16.BootNotificationResponse(
        status=decision.status.value,
        current_time=decision.current_time,
        interval=decision.interval,
    )


async def heartbeat(ctx: StationContext, req: v16.HeartbeatRequest) -> v16.HeartbeatResponse:
    """§4.6: the station is alive; answer with csms's clock (no database round trip)."""
    return v16.HeartbeatResponse(current_time=ctx.services.stations.heartbeat(ctx.station_id))


async def status_notification(
    ctx: StationContext, req: v16.StatusNotificationRequest
) -> v16.StatusNotificationResponse:
    """§4.9: connector 0 is the whole station; connector n is EVSE n, connector 1."""
    services = ctx.services
    connector = req.connector_id
    event = StatusEvent(
        station_id=ctx.station_id,
        evse_id=connector,
        connector_id=1 if connector > 0 else 0,
        status=ConnectorStatus(req.status),
        error_code=req.error_code,
        timestamp=as_utc(req.timestamp) if not isinstance(req.timestamp, UnsetType) else None,
        received_at=services.clock.now(),
        info=unset_to_none(req.info),
        vendor_id=unset_to_none(req.vendor_id),
        vendor_error_code=unset_to_none(req.vendor_error_code),
    )
    await services.statuses.connector_status(event)
    return v16.StatusNotificationResponse()


async def authorize(ctx: StationContext, req: v16.AuthorizeRequest) -> v16.AuthorizeResponse:
    """§4.1 / §6.1: the tag's IdTagInfo."""
    info = await ctx.services.authorization.authorize(req.id_tag)
    return v16.AuthorizeResponse(id_tag_info=tag_info(info))


async def data_transfer(
    ctx: StationContext, req: v16.DataTransferRequest
) -> v16.DataTransferResponse:
    """§4.3 / §6.17: routed by vendorId; UnknownVendorId unless a vendor is registered."""
    answer = await ctx.services.data_transfer.handle(
        ctx.station_id, req.vendor_id, unset_to_none(req.message_id), unset_to_none(req.data)
    )
    return v16.DataTransferResponse(
        status=answer.status,  # type: ignore[arg-type]
        data=answer.data if answer.data is not None else UNSET,
    )


async def diagnostics_status_notification(
    ctx: StationContext, req: v16.DiagnosticsStatusNotificationRequest
) -> v16.DiagnosticsStatusNotificationResponse:
    """§4.4: progress of a GetDiagnostics upload."""
    await ctx.services.statuses.diagnostics_status(ctx.station_id, req.status)
    return v16.DiagnosticsStatusNotificationResponse()


async def firmware_status_notification(
    ctx: StationContext, req: v16.FirmwareStatusNotificationRequest
) -> v16.FirmwareStatusNotificationResponse:
    """§4.5: progress of an UpdateFirmware."""
    await ctx.services.statuses.firmware_status(ctx.station_id, req.status)
    return v16.FirmwareStatusNotificationResponse()

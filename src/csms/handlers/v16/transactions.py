"""OCPP 1.6J transactions, station -> CSMS: StartTransaction, MeterValues, StopTransaction
(§4.8, §4.7, §4.10; messages §6.46, §6.31, §6.49)."""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import UnsetType

from csms.handlers.routing import StationContext
from csms.handlers.v16.convert import tag_info, unset_to_none
from csms.ocpp.messages import v16
from csms.services import Reading, as_utc
from csms.storage import NewTransaction, TransactionStop


async def start_transaction(
    ctx: StationContext, req: v16.StartTransactionRequest
) -> v16.StartTransactionResponse:
    """Stored before the answer; a retransmission gets the same transactionId."""
    services = ctx.services
    connector = req.connector_id
    started = await services.transactions.start(
        NewTransaction(
            station_id=ctx.station_id,
            evse_id=connector,
            connector_id=1 if connector > 0 else 0,
            id_tag=req.id_tag,
            meter_start=req.meter_start,
            started_at=as_utc(req.timestamp),
            received_at=services.clock.now(),
            reservation_id=unset_to_none(req.reservation_id),
        )
    )
    return v16.StartTransactionResponse(
        id_tag_info=tag_info(started.tag), transaction_id=started.transaction.id
    )


async def meter_values(ctx: StationContext, req: v16.MeterValuesRequest) -> v16.MeterValuesResponse:
    """Every sampled value stored (committed) before the answer, with or without a transaction."""
    connector = req.connector_id
    await ctx.services.transactions.meter_values(
        ctx.station_id,
        connector,
        1 if connector > 0 else 0,
        unset_to_none(req.transaction_id),
        list(readings(req.meter_value)),
    )
    return v16.MeterValuesResponse()


async def stop_transaction(
    ctx: StationContext, req: v16.StopTransactionRequest
) -> v16.StopTransactionResponse:
    """Always accepted, even for an unknown transactionId (recorded as such)."""
    services = ctx.services
    stop = TransactionStop(
        meter_stop=req.meter_stop,
        stopped_at=as_utc(req.timestamp),
        received_at=services.clock.now(),
        reason=unset_to_none(req.reason) or "Local",  # §6.49: absent means Local
        id_tag=unset_to_none(req.id_tag),
    )
    data = unset_to_none(req.transaction_data) or []
    stopped = await services.transactions.stop(
        ctx.station_id, req.transaction_id, stop, [(0, 0, r) for r in readings(data)]
    )
    if stopped.tag is None:
        return v16.StopTransactionResponse()
    return v16.StopTransactionResponse(id_tag_info=tag_info(stopped.tag))


def readings(
    meter_values: Iterable[v16.MeterValue | v16.StopTransactionMeterValue],
) -> Iterable[Reading]:
    """Flatten §7.42 MeterValue / §7.43 SampledValue into readings."""
    for meter_value in meter_values:
        timestamp = as_utc(meter_value.timestamp)
        for sampled in meter_value.sampled_value:
            yield Reading(
                timestamp=timestamp,
                value=sampled.value,
                measurand=_opt(sampled.measurand),
                unit=_opt(sampled.unit),
                phase=_opt(sampled.phase),
                context=_opt(sampled.context),
                location=_opt(sampled.location),
                format=_opt(sampled.format),
            )


def _opt(value: str | UnsetType) -> str | None:
    return None if isinstance(value, UnsetType) else value

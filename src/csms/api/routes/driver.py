"""Start and stop charging without OCPP details, for apps.

``start`` picks a free connector, attaches a TxProfile when a current or power limit is
given, sends RemoteStartTransaction and waits for the transaction id; ``stop`` sends
RemoteStopTransaction by transaction id and waits for the energy. A driver key may only
use its owner's tags and stop its owner's sessions; operator and admin keys any.
"""

from __future__ import annotations

from fastapi import APIRouter

from csms.api.auth import AnyKey, Principal
from csms.api.deps import ServicesDep
from csms.api.errors import ApiError, error_responses
from csms.api.models.operations import DriverStart, DriverStarted, DriverStop, DriverStopped
from csms.api.operation_errors import operation_errors
from csms.api.routes.commands import known_station
from csms.services import Services

router = APIRouter(prefix="/driver", tags=["Driver"], responses=error_responses(401, 403))


def _not_yours(what: str) -> ApiError:
    return ApiError(403, "forbidden", f"{what} does not belong to this driver key's owner")


async def _tag_for(caller: Principal, services: Services, asked: str | None) -> str:
    if not caller.is_driver:
        if asked is None:
            raise ApiError(422, "validation_error", "body.id_tag: required for this key",
                           fields=[{"field": "body.id_tag", "message": "required"}])
        return asked
    owner = caller.owner or ""
    if asked is None:
        found = await services.remote.tag_of(owner)
        if found is None:
            raise ApiError(409, "no_usable_tag", "this driver has no Accepted id tag")
        return found
    if not await services.remote.owns(owner, asked):
        raise _not_yours(f"id tag {asked}")
    return asked


@router.post(
    "/start",
    summary="Start charging",
    response_model=DriverStarted,
    responses=error_responses(404, 409, 422, 502, 504),
)
async def start(body: DriverStart, caller: AnyKey, services: ServicesDep) -> DriverStarted:
    """Picks a free connector of the station (Available or Preparing, not in a
    transaction, not reserved for someone else) unless `connector_id` is given, attaches
    a TxProfile when `max_current_a` or `max_power_w` is given, and waits up to
    `wait_for_transaction` seconds for the transaction id. `status` is the station's
    answer; `transaction_id` is null when it rejected or no transaction started in time.
    409 `no_free_connector` when none is free."""
    await known_station(services, body.station_id)
    id_tag = await _tag_for(caller, services, body.id_tag)
    with operation_errors():
        result = await services.remote.start_session(
            body.station_id,
            id_tag,
            connector_id=body.connector_id,
            limit=body.limit(),
            timeout=body.timeout,
            wait_for_transaction=body.wait_for_transaction,
        )
    return DriverStarted.of(body.station_id, id_tag, result)


@router.post(
    "/stop",
    summary="Stop charging",
    response_model=DriverStopped,
    responses=error_responses(404, 409, 422, 502, 504),
)
async def stop(body: DriverStop, caller: AnyKey, services: ServicesDep) -> DriverStopped:
    """Stops an active transaction and waits up to `wait_for_stop` seconds for the
    StopTransaction; `energy_kwh` is then the session's energy. 404 unknown transaction,
    409 `transaction_not_active` when it has stopped already."""
    with operation_errors():
        transaction = await services.remote.active_transaction(body.transaction_id)
        if caller.is_driver and not await services.remote.owns(caller.owner or "", transaction.id_tag):
            raise _not_yours(f"transaction {body.transaction_id}")
        result = await services.remote.stop_session(
            body.transaction_id, timeout=body.timeout, wait_for_stop=body.wait_for_stop
        )
    return DriverStopped.of(result)

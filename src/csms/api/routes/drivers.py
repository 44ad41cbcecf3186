"""Drivers (accounts that own id tags and a wallet): admin/operator manage them; a driver
key reads its own account (``/drivers/me``)."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter

from csms.api.auth import AnyKey, Principal, StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import ApiError, conflict, error_responses, not_found
from csms.api.models.common import Page, PagingDep
from csms.api.models.wallets import DriverCreate, DriverPublic, DriverUpdate
from csms.domain.billing import Driver
from csms.services import Services
from csms.services.billing import DriverNotFound
from csms.storage import DriverExists

router = APIRouter(tags=["Drivers"], responses=error_responses(401, 403))


def own_driver_id(caller: Principal, driver_id: str) -> str:
    """``driver_id`` (``me``: the caller's own); a driver key may name only its own."""
    if driver_id == "me":
        if caller.scope is None:
            raise ApiError(404, "driver_not_found", "only a driver key has a driver account (me)")
        return caller.scope
    if caller.scope is not None and caller.scope != driver_id:
        raise not_found("driver", driver_id)  # a driver does not learn who else exists
    return driver_id


async def driver_or_404(services: Services, driver_id: str) -> Driver:
    try:
        return await services.billing.wallets.driver(driver_id)
    except DriverNotFound:
        raise not_found("driver", driver_id) from None


def _money_error(error: ValueError) -> ApiError:
    return ApiError(422, "validation_error", f"body: {error}")


@router.get("/drivers", summary="List drivers", response_model=Page[DriverPublic])
async def list_drivers(_caller: StaffKey, services: ServicesDep, paging: PagingDep) -> Page[DriverPublic]:
    """Ordered by id."""
    drivers = await services.billing.wallets.drivers(paging.fetch, paging.offset)
    return paging.page(drivers, DriverPublic.of)


@router.post("/drivers", summary="Create a driver", status_code=201, response_model=DriverPublic,
             responses=error_responses(409, 422))  # fmt: skip
async def create_driver(body: DriverCreate, _caller: StaffKey, services: ServicesDep) -> DriverPublic:
    """A driver and an empty wallet in ``currency``. Give their id tags ``owner`` = the
    driver's id (and their driver API keys the same owner)."""
    driver = Driver(body.id, body.currency, services.clock.now(), body.name, body.email, body.group,
                    body.session_limit)  # fmt: skip
    try:
        return DriverPublic.of(await services.billing.wallets.add_driver(driver))
    except DriverExists:
        raise conflict("driver_exists", f"driver {body.id} exists") from None
    except ValueError as error:
        raise _money_error(error) from None


@router.get("/drivers/{driver_id}", summary="Show a driver", response_model=DriverPublic,
            responses=error_responses(404))  # fmt: skip
async def get_driver(driver_id: str, caller: AnyKey, services: ServicesDep) -> DriverPublic:
    """``me`` with a driver key: the caller's own account."""
    return DriverPublic.of(await driver_or_404(services, own_driver_id(caller, driver_id)))


@router.patch("/drivers/{driver_id}", summary="Change a driver", response_model=DriverPublic,
              responses=error_responses(404, 422))  # fmt: skip
async def update_driver(
    driver_id: str, body: DriverUpdate, _caller: StaffKey, services: ServicesDep
) -> DriverPublic:
    """Name, email, group (driver-group tariffs) and the default pre-payment limit."""
    driver = await driver_or_404(services, driver_id)
    given = body.model_dump(exclude_unset=True)
    try:
        return DriverPublic.of(await services.billing.wallets.update_driver(replace(driver, **given)))
    except ValueError as error:
        raise _money_error(error) from None

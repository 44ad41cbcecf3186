"""Tariffs (admin/operator): create, edit (a new version), archive, versions, assignments to
stations, station groups, drivers, driver groups and tags, and a quote for any caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from csms.api.auth import AnyKey, StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import ApiError, error_responses, not_found
from csms.api.models.tariffs import (
    AssignmentPublic,
    AssignmentPut,
    TariffCreate,
    TariffPublic,
    TariffVersionPublic,
)
from csms.domain.billing import AssignmentScope, TariffSpec
from csms.services import Services
from csms.services.billing import TariffNotFound

router = APIRouter(tags=["Tariffs"], responses=error_responses(401, 403))


def _spec(body: TariffCreate) -> TariffSpec:
    try:
        return body.spec()
    except ValueError as error:
        raise ApiError(422, "validation_error", f"body: {error}") from None


def _missing(error: TariffNotFound, tariff_id: int) -> ApiError:
    del error
    return not_found("tariff", tariff_id)


@router.get("/tariffs", summary="List tariffs", response_model=list[TariffPublic])
async def list_tariffs(
    _caller: StaffKey,
    services: ServicesDep,
    archived: Annotated[bool, Query(description="include archived tariffs")] = False,
) -> list[TariffPublic]:
    """Every tariff with its current version, by id."""
    return [TariffPublic.of(view) for view in await services.billing.tariffs.all(archived)]


@router.post("/tariffs", summary="Create a tariff", status_code=201, response_model=TariffPublic,
             responses=error_responses(422))  # fmt: skip
async def create_tariff(body: TariffCreate, _caller: StaffKey, services: ServicesDep) -> TariffPublic:
    """A new tariff with its version 1. Assign it to make it apply."""
    return TariffPublic.of(await services.billing.tariffs.create(body.name, _spec(body)))


@router.get("/tariffs/quote", summary="The tariff that would apply", response_model=TariffVersionPublic,
            responses=error_responses(404, 422))  # fmt: skip
async def quote(
    caller: AnyKey,
    services: ServicesDep,
    station_id: Annotated[str, Query(description="where the session would run")],
    id_tag: Annotated[str | None, Query(description="with this tag (a driver: one of theirs)")] = None,
) -> TariffVersionPublic:
    """The tariff version a session started now would be priced with. 404: none applies."""
    if caller.scope is not None and id_tag is not None:
        tag = await services.tags.get(id_tag)
        if tag is None or tag.owner != caller.scope:
            raise not_found("id_tag", id_tag)
    billing = services.billing
    driver = await billing.wallets.driver_of(id_tag) if id_tag else None
    version = await billing.tariffs.resolve(station_id, id_tag, driver, services.clock.now())
    if version is None:
        raise not_found("tariff", f"for station {station_id}")
    return TariffVersionPublic.of(version)


@router.get("/tariffs/{tariff_id}", summary="Show a tariff", response_model=TariffPublic,
            responses=error_responses(404))  # fmt: skip
async def get_tariff(tariff_id: int, _caller: StaffKey, services: ServicesDep) -> TariffPublic:
    try:
        return TariffPublic.of(await services.billing.tariffs.get(tariff_id))
    except TariffNotFound as error:
        raise _missing(error, tariff_id) from None


@router.put("/tariffs/{tariff_id}", summary="Edit a tariff (new version)", response_model=TariffPublic,
            responses=error_responses(404, 422))  # fmt: skip
async def edit_tariff(
    tariff_id: int, body: TariffCreate, _caller: StaffKey, services: ServicesDep
) -> TariffPublic:
    """Creates the next version (versions are immutable). Sessions already started keep
    the version they started with."""
    try:
        return TariffPublic.of(await services.billing.tariffs.edit(tariff_id, _spec(body), body.name))
    except TariffNotFound as error:
        raise _missing(error, tariff_id) from None


@router.delete("/tariffs/{tariff_id}", summary="Archive a tariff", status_code=204,
               response_class=Response, responses=error_responses(404))  # fmt: skip
async def archive_tariff(tariff_id: int, _caller: StaffKey, services: ServicesDep) -> None:
    """It stops applying (its assignments are skipped); its versions stay for the orders."""
    try:
        await services.billing.tariffs.archive(tariff_id)
    except TariffNotFound as error:
        raise _missing(error, tariff_id) from None


@router.get("/tariffs/{tariff_id}/versions", summary="List a tariff's versions",
            response_model=list[TariffVersionPublic], responses=error_responses(404))  # fmt: skip
async def list_versions(tariff_id: int, _caller: StaffKey, services: ServicesDep) -> list[TariffVersionPublic]:
    """Oldest first."""
    try:
        return [TariffVersionPublic.of(v) for v in await services.billing.tariffs.versions(tariff_id)]
    except TariffNotFound as error:
        raise _missing(error, tariff_id) from None


@router.get("/tariff-versions/{version_id}", summary="Show a tariff version",
            response_model=TariffVersionPublic, responses=error_responses(404))  # fmt: skip
async def get_version(version_id: int, _caller: StaffKey, services: ServicesDep) -> TariffVersionPublic:
    version = await services.billing.tariffs.version(version_id)
    if version is None:
        raise not_found("tariff_version", version_id)
    return TariffVersionPublic.of(version)


# -- assignments --------------------------------------------------------------------------


@router.get("/tariff-assignments", summary="List tariff assignments", response_model=list[AssignmentPublic])
async def list_assignments(_caller: StaffKey, services: ServicesDep) -> list[AssignmentPublic]:
    """Which tariff applies is the first found in the order id_tag, driver, driver_group,
    station, station_group, default."""
    return [AssignmentPublic.of(a) for a in await services.billing.tariffs.assignments()]


async def _assign(services: Services, scope: AssignmentScope, key: str, tariff_id: int) -> AssignmentPublic:
    try:
        return AssignmentPublic.of(await services.billing.tariffs.assign(scope, key, tariff_id))
    except TariffNotFound:
        raise ApiError(422, "validation_error", f"body.tariff_id: no live tariff {tariff_id}") from None


@router.put("/tariff-assignments/default", summary="Set the default tariff", response_model=AssignmentPublic,
            responses=error_responses(422))  # fmt: skip
async def assign_default(body: AssignmentPut, _caller: StaffKey, services: ServicesDep) -> AssignmentPublic:
    return await _assign(services, AssignmentScope.DEFAULT, "", body.tariff_id)


@router.delete("/tariff-assignments/default", summary="Remove the default tariff", status_code=204,
               response_class=Response, responses=error_responses(404))  # fmt: skip
async def unassign_default(_caller: StaffKey, services: ServicesDep) -> None:
    if not await services.billing.tariffs.unassign(AssignmentScope.DEFAULT, ""):
        raise not_found("tariff_assignment", "default")


@router.put("/tariff-assignments/{scope}/{key}", summary="Assign a tariff", response_model=AssignmentPublic,
            responses=error_responses(422))  # fmt: skip
async def assign(
    scope: AssignmentScope, key: str, body: AssignmentPut, _caller: StaffKey, services: ServicesDep
) -> AssignmentPublic:
    """To a station, station group, driver, driver group or id tag (replaces the one there)."""
    return await _assign(services, scope, key, body.tariff_id)


@router.delete("/tariff-assignments/{scope}/{key}", summary="Remove an assignment", status_code=204,
               response_class=Response, responses=error_responses(404))  # fmt: skip
async def unassign(scope: AssignmentScope, key: str, _caller: StaffKey, services: ServicesDep) -> None:
    if not await services.billing.tariffs.unassign(scope, key):
        raise not_found("tariff_assignment", f"{scope.value}/{key}")


# -- station groups -------------------------------------------------------------------------


@router.get("/station-groups", summary="List station groups", response_model=dict[str, list[str]])
async def list_groups(_caller: StaffKey, services: ServicesDep) -> dict[str, list[str]]:
    """Each group and its station ids (a group exists while it has a station)."""
    return await services.billing.tariffs.groups()


@router.put("/station-groups/{group}/stations/{station_id}", summary="Add a station to a group",
            status_code=204, response_class=Response)  # fmt: skip
async def add_to_group(group: str, station_id: str, _caller: StaffKey, services: ServicesDep) -> None:
    await services.billing.tariffs.add_to_group(group, station_id)


@router.delete("/station-groups/{group}/stations/{station_id}", summary="Remove a station from a group",
               status_code=204, response_class=Response, responses=error_responses(404))  # fmt: skip
async def remove_from_group(group: str, station_id: str, _caller: StaffKey, services: ServicesDep) -> None:
    if not await services.billing.tariffs.remove_from_group(group, station_id):
        raise not_found("station_group_member", f"{station_id} in {group}")

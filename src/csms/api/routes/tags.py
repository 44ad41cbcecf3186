"""Id tags: RFID cards and app tokens. Drivers see their own, read-only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from csms.api.auth import AnyKey, StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import conflict, error_responses, not_found
from csms.api.models.common import Page, PagingDep
from csms.api.models.tags import TagCreate, TagPublic, TagUpdate
from csms.domain import AuthorizationStatus
from csms.services import TagExists, TagNotFound

router = APIRouter(prefix="/tags", tags=["Id tags"], responses=error_responses(401, 403))


@router.get("", summary="List id tags", response_model=Page[TagPublic], responses=error_responses(422))
async def list_tags(
    caller: AnyKey,
    services: ServicesDep,
    paging: PagingDep,
    owner: Annotated[str | None, Query(description="only this owner's tags")] = None,
    status: Annotated[AuthorizationStatus | None, Query()] = None,
) -> Page[TagPublic]:
    """Ordered by id. A driver key lists only its owner's tags (`owner` is ignored)."""
    scope = caller.scope if caller.scope is not None else owner
    tags = await services.tags.search(
        owner=scope, status=status, limit=paging.fetch, offset=paging.offset
    )
    return paging.page(tags, TagPublic.of)


@router.post(
    "",
    summary="Create an id tag",
    status_code=201,
    response_model=TagPublic,
    responses=error_responses(409, 422),
)
async def create_tag(body: TagCreate, _caller: StaffKey, services: ServicesDep) -> TagPublic:
    try:
        return TagPublic.of(await services.tags.create(body.record()))
    except TagExists:
        raise conflict("tag_exists", f"id tag {body.id_tag} exists already") from None


@router.get(
    "/{id_tag}", summary="Show an id tag", response_model=TagPublic, responses=error_responses(404)
)
async def get_tag(id_tag: str, caller: AnyKey, services: ServicesDep) -> TagPublic:
    """A driver key sees only its owner's tags (404 for the others)."""
    tag = await services.tags.get(id_tag)
    if tag is None or (caller.scope is not None and tag.owner != caller.scope):
        raise not_found("tag", id_tag)
    return TagPublic.of(tag)


@router.patch(
    "/{id_tag}",
    summary="Change an id tag",
    response_model=TagPublic,
    responses=error_responses(404, 422),
)
async def update_tag(
    id_tag: str, body: TagUpdate, _caller: StaffKey, services: ServicesDep
) -> TagPublic:
    """Block, unblock, set or clear expiry, group or owner. Stations learn it on the next
    Authorize (and through local lists that are sent again)."""
    changes: dict[str, Any] = {
        name: getattr(body, name)
        for name in ("expiry_date", "parent_id_tag", "owner")
        if name in body.model_fields_set
    }
    try:
        tag = await services.tags.update(id_tag, status=body.status, **changes)
    except TagNotFound:
        raise not_found("tag", id_tag) from None
    return TagPublic.of(tag)


@router.delete(
    "/{id_tag}",
    summary="Delete an id tag",
    status_code=204,
    response_class=Response,
    responses=error_responses(404),
)
async def delete_tag(id_tag: str, _caller: StaffKey, services: ServicesDep) -> None:
    """The tag becomes unknown (Invalid) to stations; its transactions stay."""
    if not await services.tags.delete(id_tag):
        raise not_found("tag", id_tag)

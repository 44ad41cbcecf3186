"""API keys (admin only) and ``/me`` (any key)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from csms.api.auth import AdminKey, AnyKey
from csms.api.deps import ServicesDep
from csms.api.errors import ApiError, error_responses, not_found
from csms.api.models.apikeys import ApiKeyCreate, ApiKeyIssued, ApiKeyPublic, CallerPublic
from csms.services import DriverWithoutOwner

router = APIRouter(tags=["API keys"], responses=error_responses(401, 403))


@router.get("/me", summary="Who am I", response_model=CallerPublic)
async def me(caller: AnyKey) -> CallerPublic:
    """The role (and for a driver key, the owner) the API takes this key for."""
    return CallerPublic(
        role=caller.role, key_id=caller.key_id, name=caller.name, owner=caller.owner
    )


@router.get("/api-keys", summary="List API keys", response_model=list[ApiKeyPublic])
async def list_keys(_caller: AdminKey, services: ServicesDep) -> list[ApiKeyPublic]:
    """Every key, revoked ones included, oldest first. Secrets are never shown."""
    return [ApiKeyPublic.of(key) for key in await services.accounts.all()]


@router.post(
    "/api-keys",
    summary="Create an API key",
    status_code=201,
    response_model=ApiKeyIssued,
    responses=error_responses(422),
)
async def create_key(body: ApiKeyCreate, _caller: AdminKey, services: ServicesDep) -> ApiKeyIssued:
    """Issue a key. The answer's `key` is the secret: store it now, it is shown once
    (csms keeps only its SHA-256). A driver key needs an `owner`."""
    try:
        issued = await services.accounts.create(body.role, body.name, body.owner)
    except DriverWithoutOwner as error:
        raise ApiError(422, "validation_error", f"body.owner: {error}") from None
    return ApiKeyIssued(**ApiKeyPublic.of(issued.key).model_dump(), key=issued.secret)


@router.get(
    "/api-keys/{key_id}",
    summary="Show an API key",
    response_model=ApiKeyPublic,
    responses=error_responses(404),
)
async def get_key(key_id: int, _caller: AdminKey, services: ServicesDep) -> ApiKeyPublic:
    key = await services.accounts.get(key_id)
    if key is None:
        raise not_found("api_key", key_id)
    return ApiKeyPublic.of(key)


@router.delete(
    "/api-keys/{key_id}",
    summary="Revoke an API key",
    status_code=204,
    response_class=Response,
    responses=error_responses(404),
)
async def revoke_key(key_id: int, _caller: AdminKey, services: ServicesDep) -> None:
    """The key stops working at once; it stays listed as revoked."""
    if not await services.accounts.revoke(key_id):
        raise not_found("api_key", key_id)

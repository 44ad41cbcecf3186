"""API key resources: what an admin sends to create one, and what the API shows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from csms.domain.operations import ApiKey, Role


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"role": "driver", "name": "app of Alice", "owner": "alice"}},
    )

    role: Role
    name: str = Field("", max_length=100, description="a label for people")
    owner: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="driver keys: the owner of the id tags the key may use (required)",
    )


class ApiKeyPublic(BaseModel):
    """A key as listed: never its secret."""

    id: int
    name: str
    role: Role
    owner: str | None
    created_at: datetime
    revoked: bool
    last_used_at: datetime | None = Field(description="updated at most once a minute")

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyPublic:
        return cls(
            id=key.id,
            name=key.name,
            role=key.role,
            owner=key.owner,
            created_at=key.created_at,
            revoked=key.revoked,
            last_used_at=key.last_used_at,
        )


class ApiKeyIssued(ApiKeyPublic):
    """A key just created: ``key`` is the secret, shown this once only."""

    key: str = Field(description="send as `Authorization: Bearer <key>`; it cannot be shown again")


class CallerPublic(BaseModel):
    """Who the API takes the caller for."""

    role: Role
    key_id: int | None = Field(description="null: development access from localhost without a key")
    name: str
    owner: str | None

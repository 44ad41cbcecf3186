"""Id tag resources (OCPP 1.6 §7.15 IdTagInfo, plus the owner csms keeps)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from csms.domain import AuthorizationStatus, IdTag
from csms.services import as_utc

ID_TAG_DESCRIPTION = "OCPP 1.6 idTag (CiString20): 1 to 20 characters"


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


class TagCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "id_tag": "remote-11902",
                "status": "Accepted",
                "expiry_date": "2030-01-01T00:00:00Z",
                "owner": "alice",
            }
        },
    )

    id_tag: str = Field(min_length=1, max_length=20, description=ID_TAG_DESCRIPTION)
    status: AuthorizationStatus = AuthorizationStatus.ACCEPTED
    expiry_date: datetime | None = Field(None, description="UTC when no offset is given")
    parent_id_tag: str | None = Field(
        None, min_length=1, max_length=20, description="group tag (parentIdTag)"
    )
    owner: str | None = Field(
        None, min_length=1, max_length=100, description="the driver it belongs to (driver keys' owner)"
    )

    _expiry_utc = field_validator("expiry_date")(_utc)

    def record(self) -> IdTag:
        return IdTag(self.id_tag, self.status, self.expiry_date, self.parent_id_tag, self.owner)


class TagUpdate(BaseModel):
    """Only the fields sent change; null clears `expiry_date`, `parent_id_tag` or `owner`."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"example": {"status": "Blocked"}}
    )

    status: AuthorizationStatus | None = None
    expiry_date: datetime | None = None
    parent_id_tag: str | None = Field(None, min_length=1, max_length=20)
    owner: str | None = Field(None, min_length=1, max_length=100)

    _expiry_utc = field_validator("expiry_date")(_utc)


class TagPublic(BaseModel):
    id_tag: str
    status: AuthorizationStatus = Field(description="as stored; an expired tag is answered Expired")
    expiry_date: datetime | None
    parent_id_tag: str | None
    owner: str | None

    @classmethod
    def of(cls, tag: IdTag) -> TagPublic:
        return cls(
            id_tag=tag.id_tag,
            status=tag.status,
            expiry_date=tag.expiry_date,
            parent_id_tag=tag.parent_id_tag,
            owner=tag.owner,
        )

"""Id tags as operators manage them: create, change, list (by owner), delete.

What a tag means to a station (Authorize, IdTagInfo) is
:class:`~csms.services.authorization.AuthorizationService`'s business.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from csms.domain import AuthorizationStatus, IdTag
from csms.services.unchanged import UNCHANGED, Unchanged
from csms.storage import IdTagStore


class TagExists(ValueError):
    """An id tag with that id is already stored."""


class TagNotFound(LookupError):
    pass


class TagService:
    def __init__(self, tags: IdTagStore) -> None:
        self._tags = tags

    async def search(
        self,
        *,
        owner: str | None = None,
        status: AuthorizationStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[IdTag]:
        """Ordered by id_tag; ``owner`` restricts to that owner's tags."""
        tags = await (self._tags.by_owner(owner) if owner is not None else self._tags.all())
        if status is not None:
            tags = [tag for tag in tags if tag.status is status]
        return tags[offset : offset + limit]

    async def get(self, id_tag: str) -> IdTag | None:
        return await self._tags.get(id_tag)

    async def create(self, tag: IdTag) -> IdTag:
        """Store a new tag; raises TagExists."""
        if await self._tags.get(tag.id_tag) is not None:
            raise TagExists(tag.id_tag)
        return await self._tags.upsert(tag)

    async def update(
        self,
        id_tag: str,
        *,
        status: AuthorizationStatus | None = None,
        expiry_date: datetime | Unchanged | None = UNCHANGED,
        parent_id_tag: str | Unchanged | None = UNCHANGED,
        owner: str | Unchanged | None = UNCHANGED,
    ) -> IdTag:
        """Change the given fields (None clears an optional one); raises TagNotFound."""
        tag = await self._tags.get(id_tag)
        if tag is None:
            raise TagNotFound(id_tag)
        optional = {"expiry_date": expiry_date, "parent_id_tag": parent_id_tag, "owner": owner}
        changes: dict[str, Any] = {k: v for k, v in optional.items() if v is not UNCHANGED}
        if status is not None:
            changes["status"] = status
        return await self._tags.upsert(dataclasses.replace(tag, **changes))

    async def delete(self, id_tag: str) -> bool:
        return await self._tags.delete(id_tag)

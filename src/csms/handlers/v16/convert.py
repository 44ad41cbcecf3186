"""Small translations between OCPP 1.6 messages and domain values."""

from __future__ import annotations

from typing import TypeVar

from msgspec import UNSET, UnsetType

from csms.ocpp.messages import v16
from csms.services import TagInfo

_T = TypeVar("_T")


def unset_to_none(value: _T | UnsetType) -> _T | None:
    """An optional message field as None when the station left it out."""
    return None if isinstance(value, UnsetType) else value


def tag_info(info: TagInfo) -> v16.IdTagInfo:
    """§7.15 IdTagInfo from the service's answer."""
    return v16.IdTagInfo(
        status=info.status.value,
        expiry_date=info.expiry_date if info.expiry_date is not None else UNSET,
        parent_id_tag=info.parent_id_tag if info.parent_id_tag is not None else UNSET,
    )

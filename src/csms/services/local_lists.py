"""Local authorization lists per station (OCPP 1.6 §3.5.3, §5.15 SendLocalList,
§5.10 GetLocalListVersion).

csms holds, per station, the list and version the station last accepted
(``Stores.station_state``, recorded by the command service). A push sends either the
entries given or a list built from csms's own id tags: the whole list for ``Full``, only
what changed since the list held (additions, changes, deletions) for ``Differential``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

import msgspec

from csms.domain import AuthorizationStatus, IdTag
from csms.domain.operations import LocalList, LocalListEntry
from csms.ocpp.messages import v16
from csms.services.clock import Clock
from csms.services.commands import CommandService
from csms.storage import IdTagStore, StationStateStore

UpdateType = Literal["Full", "Differential"]


@dataclass(frozen=True, slots=True)
class Pushed:
    status: str  # the station's answer: Accepted | Failed | NotSupported | VersionMismatch
    list_version: int
    sent: int  # entries sent
    held: LocalList | None  # what csms holds now


class LocalListService:
    def __init__(
        self,
        station_state: StationStateStore,
        tags: IdTagStore,
        commands: CommandService,
        clock: Clock,
    ) -> None:
        self._state = station_state
        self._tags = tags
        self._commands = commands
        self._clock = clock

    async def held(self, station_id: str) -> LocalList | None:
        """The list and version csms last knew the station to hold."""
        return await self._state.local_list(station_id)

    async def push(
        self,
        station_id: str,
        update_type: UpdateType,
        entries: Sequence[LocalListEntry] | None = None,
        *,
        list_version: int | None = None,
        timeout: float | None = None,
    ) -> Pushed:
        """SendLocalList; ``entries`` None builds them from csms's tags. The version is
        the one held plus one unless given."""
        held = await self._state.local_list(station_id)
        if entries is None:
            entries = await self._from_tags(update_type, held)
        version = list_version if list_version is not None else _next_version(held)
        request = v16.SendLocalListRequest(
            list_version=version,
            local_authorization_list=[authorization_data(e) for e in entries],
            update_type=update_type,
        )
        response = await self._commands.call(
            station_id, request, v16.SendLocalListResponse, timeout
        )
        return Pushed(response.status, version, len(entries), await self.held(station_id))

    async def fetch_version(self, station_id: str, *, timeout: float | None = None) -> int:
        """GetLocalListVersion: the station's own version (-1: no local list support)."""
        response = await self._commands.call(
            station_id, v16.GetLocalListVersionRequest(), v16.GetLocalListVersionResponse, timeout
        )
        return response.list_version

    async def _from_tags(self, update_type: UpdateType, held: LocalList | None) -> list[LocalListEntry]:
        now = self._clock.now()
        current = {tag.id_tag: _entry(tag, now) for tag in await self._tags.all()}
        if update_type == "Full" or held is None:
            return [current[k] for k in sorted(current)]
        before = {e.id_tag: e for e in held.entries}
        changed = [e for k, e in sorted(current.items()) if before.get(k) != e]
        removed = [LocalListEntry(k) for k in sorted(before) if k not in current]
        return changed + removed


def _next_version(held: LocalList | None) -> int:
    return held.version + 1 if held is not None and held.version > 0 else 1


def _entry(tag: IdTag, now: datetime) -> LocalListEntry:
    status = tag.status
    expiry = tag.expiry_date
    if status is AuthorizationStatus.ACCEPTED and expiry is not None and expiry <= now:
        status = AuthorizationStatus.EXPIRED
    return LocalListEntry(tag.id_tag, status.value, expiry, tag.parent_id_tag)


def authorization_data(entry: LocalListEntry) -> v16.AuthorizationData:
    """A list entry as 1.6 AuthorizationData (no idTagInfo: remove it, differential)."""
    if entry.status is None:
        return v16.AuthorizationData(id_tag=entry.id_tag)
    return v16.AuthorizationData(
        id_tag=entry.id_tag,
        id_tag_info=v16.IdTagInfo(
            status=cast(v16.AuthorizationStatus, entry.status),
            expiry_date=entry.expiry_date if entry.expiry_date is not None else msgspec.UNSET,
            parent_id_tag=entry.parent_id_tag if entry.parent_id_tag is not None else msgspec.UNSET,
        ),
    )

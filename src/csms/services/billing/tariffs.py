"""Tariffs: create, edit (a new immutable version each time), assign, and find the one that
applies to a session.

Which tariff applies (docs/billing.md) — the first assignment found, in this order:
the id tag, the driver, the driver's group, the station, the station's groups (by name),
the default. Assignments to archived tariffs are skipped. The session gets the version
that was current when it started (a session never changes price because its tariff was
edited while it ran, nor when its StartTransaction arrives late after an offline period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.domain.billing import (
    RESOLUTION_ORDER,
    AssignmentScope,
    Driver,
    Tariff,
    TariffAssignment,
    TariffSpec,
    TariffVersion,
)
from csms.services.clock import Clock
from csms.storage.billing import TariffAssignmentStore, TariffStore


class TariffNotFound(LookupError):
    """No (live) tariff with that id."""


@dataclass(frozen=True, slots=True)
class TariffView:
    tariff: Tariff
    current: TariffVersion


class TariffService:
    def __init__(
        self, tariffs: TariffStore, assignments: TariffAssignmentStore, clock: Clock
    ) -> None:
        self._tariffs = tariffs
        self._assignments = assignments
        self._clock = clock

    async def create(self, name: str, spec: TariffSpec) -> TariffView:
        version = await self._tariffs.create(name, spec, self._clock.now())
        return await self.get(version.tariff_id)

    async def edit(self, tariff_id: int, spec: TariffSpec | None, name: str | None = None) -> TariffView:
        """A new version with ``spec`` (and/or a new name); raises TariffNotFound."""
        await self._live(tariff_id)
        if name is not None:
            await self._tariffs.rename(tariff_id, name)
        if spec is not None:
            await self._tariffs.add_version(tariff_id, spec, self._clock.now())
        return await self.get(tariff_id)

    async def archive(self, tariff_id: int) -> None:
        """The tariff stops applying; its versions stay (orders point at them)."""
        if not await self._tariffs.archive(tariff_id):
            raise TariffNotFound(f"no tariff {tariff_id}")

    async def get(self, tariff_id: int) -> TariffView:
        tariff = await self._tariffs.get(tariff_id)
        current = await self._tariffs.current(tariff_id)
        if tariff is None or current is None:
            raise TariffNotFound(f"no tariff {tariff_id}")
        return TariffView(tariff, current)

    async def all(self, include_archived: bool = False) -> list[TariffView]:
        return [await self.get(t.id) for t in await self._tariffs.all(include_archived)]

    async def versions(self, tariff_id: int) -> list[TariffVersion]:
        found = await self._tariffs.versions(tariff_id)
        if not found:
            raise TariffNotFound(f"no tariff {tariff_id}")
        return found

    async def version(self, version_id: int) -> TariffVersion | None:
        return await self._tariffs.version(version_id)

    # -- assignments -----------------------------------------------------------------------

    async def assign(self, scope: AssignmentScope, key: str, tariff_id: int) -> TariffAssignment:
        """Assign (or reassign) a tariff; raises TariffNotFound for an unknown or archived one."""
        await self._live(tariff_id)
        key = "" if scope is AssignmentScope.DEFAULT else key
        assignment = TariffAssignment(scope, key, tariff_id, self._clock.now())
        await self._assignments.assign(assignment)
        return assignment

    async def unassign(self, scope: AssignmentScope, key: str) -> bool:
        return await self._assignments.unassign(scope, "" if scope is AssignmentScope.DEFAULT else key)

    async def assignments(self) -> list[TariffAssignment]:
        return await self._assignments.all()

    async def add_to_group(self, group: str, station_id: str) -> None:
        await self._assignments.add_to_group(group, station_id)

    async def remove_from_group(self, group: str, station_id: str) -> bool:
        return await self._assignments.remove_from_group(group, station_id)

    async def groups(self) -> dict[str, list[str]]:
        return await self._assignments.groups()

    async def resolve(
        self, station_id: str, id_tag: str | None, driver: Driver | None, at: datetime
    ) -> TariffVersion | None:
        """The tariff version that prices a session started at ``at`` (None: no tariff)."""
        candidates: list[tuple[AssignmentScope, str]] = [(AssignmentScope.STATION, station_id)]
        candidates += [
            (AssignmentScope.STATION_GROUP, group)
            for group in await self._assignments.groups_of(station_id)
        ]
        candidates.append((AssignmentScope.DEFAULT, ""))
        if id_tag is not None:
            candidates.append((AssignmentScope.ID_TAG, id_tag))
        if driver is not None:
            candidates.append((AssignmentScope.DRIVER, driver.id))
            if driver.group is not None:
                candidates.append((AssignmentScope.DRIVER_GROUP, driver.group))
        found = {(a.scope, a.key): a for a in await self._assignments.find(candidates)}
        rank = {scope: index for index, scope in enumerate(RESOLUTION_ORDER)}
        for scope, key in sorted(candidates, key=lambda c: (rank[c[0]], c[1])):
            assignment = found.get((scope, key))
            if assignment is None:
                continue
            tariff = await self._tariffs.get(assignment.tariff_id)
            if tariff is not None and not tariff.archived:
                return await self._tariffs.current(tariff.id, at)
        return None

    async def _live(self, tariff_id: int) -> Tariff:
        tariff = await self._tariffs.get(tariff_id)
        if tariff is None or tariff.archived:
            raise TariffNotFound(f"no tariff {tariff_id}")
        return tariff

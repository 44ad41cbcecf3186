"""Command-side services over in-memory stores, a fake clock and a scripted station port."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import msgspec

from csms.domain import ConnectorStatus, StatusEvent
from csms.services import AuthorizationService, TransactionService, WriteBehind
from csms.services.commands import CommandService, RemoteControl
from csms.services.events import EventBus
from csms.services.local_lists import LocalListService
from csms.services.reservations import ReservationService
from csms.services.transaction_events import TransactionEvents
from csms.storage import NewTransaction, Stores, TransactionStop
from csms.storage.memory import memory_stores
from csms.testing import FakeClock

_R = TypeVar("_R", bound=msgspec.Struct)
Answer = msgspec.Struct | Exception | Callable[[Any], Awaitable[msgspec.Struct]]


@dataclass
class Sent:
    station_id: str
    action: str
    request: Any
    timeout: float | None


@dataclass
class ScriptedCaller:
    """The gateway's place: answers each action with what the test queued."""

    answers: dict[str, list[Answer]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def script(self, action: str, *answers: Answer) -> None:
        self.answers.setdefault(action, []).extend(answers)

    async def call(
        self,
        station_id: str,
        action: str,
        request: msgspec.Struct,
        response_type: type[_R],
        timeout: float | None = None,
    ) -> _R:
        self.sent.append(Sent(station_id, action, request, timeout))
        queued = self.answers.get(action)
        if not queued:
            raise AssertionError(f"no answer scripted for {action}")
        answer = queued.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if not isinstance(answer, msgspec.Struct):
            answer = await answer(request)
        assert isinstance(answer, response_type)
        return answer


@dataclass
class Kit:
    clock: FakeClock
    stores: Stores
    events: EventBus
    caller: ScriptedCaller
    commands: CommandService
    reservations: ReservationService
    remote: RemoteControl
    local_lists: LocalListService
    transactions: TransactionService
    write_behind: WriteBehind

    async def status(self, connector: int, status: ConnectorStatus, station: str = "CP1") -> None:
        await self.stores.statuses.add_many(
            [
                StatusEvent(
                    station, connector, 1 if connector else 0, status, "NoError", None,
                    self.clock.now(),
                )
            ]
        )

    async def start(
        self, connector: int, id_tag: str, station: str = "CP1", reservation_id: int | None = None
    ) -> int:
        """What the station's StartTransaction does on csms's side."""
        now = self.clock.now()
        started = await self.transactions.start(
            NewTransaction(station, connector, 1, id_tag, 1000, now, now, reservation_id)
        )
        return started.transaction.id

    async def stop(self, transaction_id: int, meter_stop: int, station: str = "CP1") -> None:
        now = self.clock.now()
        await self.transactions.stop(station, transaction_id, TransactionStop(meter_stop, now, now))

    def later(self, seconds: float, work: Callable[[], Awaitable[object]]) -> None:
        """Run ``work`` after ``seconds`` of event-loop time (the station acting)."""

        async def run() -> None:
            await asyncio.sleep(seconds)
            await work()

        task = asyncio.get_running_loop().create_task(run())
        _background.add(task)
        task.add_done_callback(_background.discard)


_background: set[asyncio.Task[None]] = set()


def build_kit() -> Kit:
    clock = FakeClock()
    stores = memory_stores(clock.now)
    events = EventBus(clock)
    caller = ScriptedCaller()
    commands = CommandService(stores.station_state, events, clock, caller)
    reservations = ReservationService(stores.reservations, commands, events, clock)
    write_behind = WriteBehind(stores, 0.01)
    authorization = AuthorizationService(stores.id_tags, stores.transactions, clock)
    transactions = TransactionService(
        stores.transactions, authorization, write_behind, clock,
        TransactionEvents(events, reservations),
    )
    remote = RemoteControl(
        commands, events, stores.transactions, stores.statuses, stores.reservations,
        stores.id_tags, clock, authorization,
    )
    local_lists = LocalListService(stores.station_state, stores.id_tags, commands, clock)
    return Kit(
        clock, stores, events, caller, commands, reservations, remote, local_lists,
        transactions, write_behind,
    )


def hours(n: float) -> timedelta:
    return timedelta(hours=n)

"""Remote start and stop that give the transaction back (OCPP 1.6 §5.11, §5.12).

A station answers RemoteStartTransaction with Accepted *before* it starts; the
transaction id arrives later in its StartTransaction (§4.8). :meth:`RemoteControl.start`
subscribes to the event bus before sending, so the StartTransaction that follows on
that station (same idTag, same connector when one was given) cannot be missed, and
returns its id. Stop likewise waits, when asked, for the StopTransaction and its energy.

For drivers, :meth:`RemoteControl.start_session` hides the OCPP details: it picks a
free connector and attaches a TxProfile when a current or power limit is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import msgspec

from csms.domain import AuthorizationStatus, ConnectorStatus, Transaction, TransactionState
from csms.domain.operations import ReservationStatus
from csms.ocpp.messages import v16
from csms.services.authorization import AuthorizationService
from csms.services.clock import Clock
from csms.services.commands.service import CommandService
from csms.services.events import Event, EventBus, EventType, Subscription
from csms.storage import (
    IdTagStore,
    ReservationStore,
    StatusStore,
    TransactionFilter,
    TransactionStore,
)

DRIVER_PROFILE_BASE = 900_000
"""Driver TxProfiles use chargingProfileId DRIVER_PROFILE_BASE + connectorId: a new one
replaces only the previous session's profile on that connector."""

_FREE = (ConnectorStatus.AVAILABLE, ConnectorStatus.PREPARING)


class SessionError(Exception):
    """A remote session cannot be started or stopped as asked."""


class NoFreeConnector(SessionError):
    pass


class TransactionNotFound(SessionError, LookupError):
    pass


class TransactionNotActive(SessionError):
    pass


class StartRefused(SessionError):
    """csms would not accept the id tag: sending RemoteStartTransaction would only make the
    station start a transaction that csms then answers Blocked/Invalid (issue: wallet)."""

    def __init__(self, id_tag: str, status: AuthorizationStatus, reason: str | None) -> None:
        super().__init__(f"id tag {id_tag} is {status.value}" + (f": {reason}" if reason else ""))
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ChargeLimit:
    """A current (A) or power (W) limit for the whole session."""

    value: float
    unit: Literal["A", "W"]


@dataclass(frozen=True, slots=True)
class StartResult:
    status: str  # the station's answer: Accepted | Rejected
    transaction_id: int | None  # set once the StartTransaction arrived (when waited for)
    connector_id: int | None
    response: v16.RemoteStartTransactionResponse


@dataclass(frozen=True, slots=True)
class StopResult:
    status: str
    transaction_id: int
    stopped: bool  # the StopTransaction arrived (when waited for)
    energy_wh: int | None
    response: v16.RemoteStopTransactionResponse

    @property
    def energy_kwh(self) -> float | None:
        return None if self.energy_wh is None else self.energy_wh / 1000


class RemoteControl:
    def __init__(
        self,
        commands: CommandService,
        events: EventBus,
        transactions: TransactionStore,
        statuses: StatusStore,
        reservations: ReservationStore,
        tags: IdTagStore,
        clock: Clock,
        authorization: AuthorizationService,
    ) -> None:
        self._tags = tags
        self._authorization = authorization
        self._commands = commands
        self._events = events
        self._transactions = transactions
        self._statuses = statuses
        self._reservations = reservations
        self._clock = clock

    async def start(
        self,
        station_id: str,
        request: v16.RemoteStartTransactionRequest,
        *,
        timeout: float | None = None,
        wait_for_transaction: float = 0.0,
    ) -> StartResult:
        """RemoteStartTransaction; with ``wait_for_transaction`` > 0, also wait that many
        seconds for the StartTransaction that follows and return its id. Raises
        StartRefused, before sending anything, when csms would not accept the id tag
        (unknown, blocked, expired, already charging, wallet below the minimum)."""
        tag = await self._authorization.authorize(request.id_tag)
        if tag.status is not AuthorizationStatus.ACCEPTED:
            raise StartRefused(request.id_tag, tag.status, tag.reason)
        connector = request.connector_id or None
        sent_at = self._clock.now()
        with self._events.subscribe({station_id}, {EventType.TRANSACTION_STARTED}) as events:
            response = await self._commands.call(
                station_id, request, v16.RemoteStartTransactionResponse, timeout
            )
            transaction = None
            if response.status == "Accepted" and wait_for_transaction > 0:
                transaction = await self._started(
                    events, station_id, request.id_tag, connector, sent_at, wait_for_transaction
                )
        return StartResult(
            response.status,
            transaction.id if transaction else None,
            transaction.evse_id if transaction else connector,
            response,
        )

    async def stop(
        self,
        station_id: str,
        transaction_id: int,
        *,
        timeout: float | None = None,
        wait_for_stop: float = 0.0,
    ) -> StopResult:
        """RemoteStopTransaction; with ``wait_for_stop`` > 0, also wait for the StopTransaction."""
        request = v16.RemoteStopTransactionRequest(transaction_id=transaction_id)
        with self._events.subscribe({station_id}, {EventType.TRANSACTION_STOPPED}) as events:
            response = await self._commands.call(
                station_id, request, v16.RemoteStopTransactionResponse, timeout
            )
            if response.status == "Accepted" and wait_for_stop > 0:
                await _first(events, wait_for_stop, lambda e: e.data["transaction_id"] == transaction_id)
        stored = await self._transactions.get(transaction_id)
        stopped = stored is not None and stored.state is TransactionState.STOPPED
        energy = stored.energy_wh if stored is not None else None
        return StopResult(response.status, transaction_id, stopped, energy, response)

    async def start_session(
        self,
        station_id: str,
        id_tag: str,
        *,
        connector_id: int | None = None,
        limit: ChargeLimit | None = None,
        timeout: float | None = None,
        wait_for_transaction: float = 30.0,
    ) -> StartResult:
        """Pick a free connector (or check the one given), attach a TxProfile for ``limit``,
        start and wait for the transaction id. Raises NoFreeConnector."""
        connector = await self.free_connector(station_id, id_tag, connector_id)
        if connector is None:
            where = f"connector {connector_id}" if connector_id else "no connector"
            raise NoFreeConnector(f"{where} of {station_id} is free")
        request = v16.RemoteStartTransactionRequest(
            connector_id=connector,
            id_tag=id_tag,
            charging_profile=tx_profile(limit, DRIVER_PROFILE_BASE + connector)
            if limit is not None
            else msgspec.UNSET,
        )
        return await self.start(
            station_id, request, timeout=timeout, wait_for_transaction=wait_for_transaction
        )

    async def stop_session(
        self, transaction_id: int, *, timeout: float | None = None, wait_for_stop: float = 30.0
    ) -> StopResult:
        """Stop a transaction by its id. Raises TransactionNotFound / TransactionNotActive."""
        transaction = await self.active_transaction(transaction_id)
        return await self.stop(
            transaction.station_id, transaction_id, timeout=timeout, wait_for_stop=wait_for_stop
        )

    async def owns(self, owner: str, id_tag: str | None) -> bool:
        """True if ``id_tag`` belongs to ``owner`` (a driver uses only their own tags)."""
        tag = await self._tags.get(id_tag) if id_tag is not None else None
        return tag is not None and tag.owner == owner

    async def tag_of(self, owner: str) -> str | None:
        """The first Accepted tag of ``owner``, for a driver who names none."""
        for tag in await self._tags.by_owner(owner):
            if tag.status is AuthorizationStatus.ACCEPTED:
                return tag.id_tag
        return None

    async def active_transaction(self, transaction_id: int) -> Transaction:
        transaction = await self._transactions.get(transaction_id)
        if transaction is None:
            raise TransactionNotFound(f"no transaction {transaction_id}")
        if transaction.state is not TransactionState.ACTIVE:
            raise TransactionNotActive(f"transaction {transaction_id} has already stopped")
        return transaction

    async def free_connector(
        self, station_id: str, id_tag: str, wanted: int | None = None
    ) -> int | None:
        """A 1.6 connector that is Available/Preparing (as last reported) and not in an
        active transaction; a Reserved one counts when the reservation is ``id_tag``'s or
        csms holds no live reservation for it (it expired)."""
        reserved = await self._live_reservations(station_id)
        for status in await self._statuses.current(station_id):
            connector = status.evse_id
            if connector == 0 or (wanted is not None and connector != wanted):
                continue
            if reserved.get(connector, id_tag) != id_tag:
                continue  # reserved for someone else
            usable = status.status in _FREE or status.status is ConnectorStatus.RESERVED
            if usable and not await self._transactions.active_for_connector(
                station_id, connector, status.connector_id
            ):
                return connector
        return None

    async def _live_reservations(self, station_id: str) -> dict[int, str]:
        live: dict[int, str] = {}
        for status in (ReservationStatus.ACTIVE, ReservationStatus.PENDING):
            for reservation in await self._reservations.search(station_id, status):
                live.setdefault(reservation.connector_id, reservation.id_tag)
        return live

    async def _started(
        self,
        events: Subscription,
        station_id: str,
        id_tag: str,
        connector: int | None,
        since: datetime,
        within: float,
    ) -> Transaction | None:
        def matches(event: Event) -> bool:
            data = event.data
            return data["id_tag"] == id_tag and connector in (None, data["evse_id"])

        event = await _first(events, within, matches)
        if event is not None:
            return await self._transactions.get(int(event.data["transaction_id"]))
        # The event may have been dropped: the store has the last word.
        active = await self._transactions.search(
            TransactionFilter(station_id=station_id, id_tag=id_tag, state=TransactionState.ACTIVE)
        )
        for transaction in active:
            if transaction.received_at >= since and connector in (None, transaction.evse_id):
                return transaction
        return None


def tx_profile(limit: ChargeLimit, profile_id: int) -> v16.ChargingProfile:
    """A TxProfile (§3.13.1) holding ``limit`` for the whole transaction: kind Relative,
    one period from the start."""
    return v16.ChargingProfile(
        charging_profile_id=profile_id,
        stack_level=0,
        charging_profile_purpose="TxProfile",
        charging_profile_kind="Relative",
        charging_schedule=v16.ChargingSchedule(
            charging_rate_unit=limit.unit,
            charging_schedule_period=[
                v16.ChargingSchedulePeriod(start_period=0, limit=round(limit.value, 1))
            ],
        ),
    )


async def _first(
    events: Subscription, within: float, matches: Callable[[Event], bool]
) -> Event | None:
    """The first event that ``matches`` within ``within`` seconds, else None."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (remaining := deadline - loop.time()) > 0:
        event = await events.next(remaining)
        if event is None:
            return None
        if matches(event):
            return event
    return None

"""Live events: an in-process publish/subscribe bus for what happens on the network.

Publishers (the gateway, the transaction and status services, the command service) call
:meth:`EventBus.publish`, which never blocks and never awaits: OCPP handling must not
wait for a slow reader. Each subscriber owns a bounded queue; when it is full the event
is dropped for that subscriber only and counted (:attr:`Subscription.dropped`, and the
``csms_events_dropped_total`` metric).

    with bus.subscribe(stations={"CP1"}) as subscription:
        async for event in subscription:
            ...

:meth:`EventBus.close` (at shutdown) ends every subscription, so open Server-Sent
Event streams finish and the HTTP server can stop.

Event types (``Event.type``): see :class:`EventType`.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any

from prometheus_client import Counter

from csms.domain import MeterSample, StatusEvent, Transaction
from csms.services.clock import Clock

_DROPPED = Counter(
    "csms_events_dropped", "Live events dropped because a subscriber's queue was full"
)


class EventType(enum.StrEnum):
    STATION_CONNECTED = "station.connected"
    STATION_DISCONNECTED = "station.disconnected"
    STATUS_CHANGED = "status.changed"
    TRANSACTION_STARTED = "transaction.started"
    TRANSACTION_UPDATED = "transaction.updated"  # new meter values
    TRANSACTION_STOPPED = "transaction.stopped"
    COMMAND_ANSWERED = "command.answered"  # the station answered a CSMS call (result)
    COMMAND_FAILED = "command.failed"  # offline, timeout or a CALLERROR
    RESERVATION_CHANGED = "reservation.changed"
    ORDER_UPDATED = "order.updated"  # running cost of a session, then priced/paid/refunded


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened; ``data`` holds JSON-ready values only."""

    id: int
    type: EventType
    station_id: str | None
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type.value,
            "station_id": self.station_id,
            "at": self.at.isoformat(),
            "data": dict(self.data),
        }


_CLOSED = object()


class Subscription:
    """One reader's bounded queue of events; iterate it, close it when done."""

    def __init__(
        self,
        bus: EventBus,
        stations: frozenset[str] | None,
        types: frozenset[EventType] | None,
        size: int,
    ) -> None:
        self._bus = bus
        self._stations = stations
        self._types = types
        self._queue: asyncio.Queue[Event | object] = asyncio.Queue(size)
        self.dropped = 0
        self.closed = False

    def wants(self, event: Event) -> bool:
        if self._types is not None and event.type not in self._types:
            return False
        return self._stations is None or event.station_id in self._stations

    def offer(self, event: Event) -> None:
        """Queue ``event`` or drop it (never blocks)."""
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            _DROPPED.inc()

    async def next(self, timeout: float | None = None) -> Event | None:
        """The next event; None when closed or when ``timeout`` seconds passed."""
        if self.closed and self._queue.empty():
            return None
        try:
            async with asyncio.timeout(timeout):
                item = await self._queue.get()
        except TimeoutError:
            return None
        if item is _CLOSED:
            self.closed = True
            return None
        assert isinstance(item, Event)
        return item

    async def __aiter__(self) -> AsyncIterator[Event]:
        while (event := await self.next()) is not None:
            yield event

    def close(self) -> None:
        """Stop receiving; a reader waiting in :meth:`next` gets None."""
        if self.closed:
            return
        self._bus.unsubscribe(self)
        self.closed = True
        while True:  # make room for the end marker
            try:
                self._queue.put_nowait(_CLOSED)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class EventBus:
    """Fan-out of events to subscribers, in process (a broker replaces it on scale-out)."""

    def __init__(self, clock: Clock, queue_size: int = 1000) -> None:
        self._clock = clock
        self._queue_size = queue_size
        self._subscriptions: set[Subscription] = set()
        self._ids = itertools.count(1)
        self._closed = False

    def publish(
        self, type: EventType, station_id: str | None, data: Mapping[str, Any] | None = None
    ) -> Event:
        """Hand ``event`` to every interested subscriber now; never blocks."""
        event = Event(next(self._ids), type, station_id, self._clock.now(), data or {})
        for subscription in tuple(self._subscriptions):
            if subscription.wants(event):
                subscription.offer(event)
        return event

    def subscribe(
        self,
        stations: Collection[str] | None = None,
        types: Collection[EventType] | None = None,
        queue_size: int | None = None,
    ) -> Subscription:
        """A new subscription to events of ``stations`` (all when None) of ``types``."""
        subscription = Subscription(
            self,
            frozenset(stations) if stations else None,
            frozenset(types) if types else None,
            queue_size or self._queue_size,
        )
        if self._closed:
            subscription.close()
        else:
            self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    def close(self) -> None:
        """End every subscription (shutdown); later subscriptions start closed."""
        self._closed = True
        for subscription in tuple(self._subscriptions):
            subscription.close()


# -- JSON-ready payloads of the domain records ---------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def status_json(event: StatusEvent) -> dict[str, Any]:
    return {
        "evse_id": event.evse_id,
        "connector_id": event.connector_id,
        "status": event.status.value,
        "error_code": event.error_code,
        "info": event.info,
        "timestamp": _iso(event.timestamp),
    }


def transaction_json(transaction: Transaction) -> dict[str, Any]:
    energy = transaction.energy_wh
    return {
        "transaction_id": transaction.id,
        "evse_id": transaction.evse_id,
        "connector_id": transaction.connector_id,
        "id_tag": transaction.id_tag,
        "state": transaction.state.value,
        "meter_start": transaction.meter_start,
        "started_at": _iso(transaction.started_at),
        "reservation_id": transaction.reservation_id,
        "meter_stop": transaction.meter_stop,
        "stopped_at": _iso(transaction.stopped_at),
        "stop_reason": transaction.stop_reason,
        "energy_wh": energy,
        "energy_kwh": None if energy is None else energy / 1000,
    }


def sample_json(sample: MeterSample) -> dict[str, Any]:
    return {
        "timestamp": _iso(sample.timestamp),
        "measurand": sample.measurand,
        "value": sample.value,
        "unit": sample.unit,
        "phase": sample.phase,
        "context": sample.context,
        "location": sample.location,
    }

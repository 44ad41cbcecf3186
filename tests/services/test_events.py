"""The live event bus: filtered fan-out, bounded queues, never blocking the publisher."""

from __future__ import annotations

import asyncio

from csms.services.events import EventBus, EventType
from csms.testing import FakeClock


def bus(queue_size: int = 1000) -> EventBus:
    return EventBus(FakeClock(), queue_size)


async def test_a_subscriber_receives_only_the_stations_and_types_it_asked_for() -> None:
    events = bus()
    with events.subscribe({"CP1"}, {EventType.STATUS_CHANGED}) as subscription:
        events.publish(EventType.STATUS_CHANGED, "CP2", {"n": 1})
        events.publish(EventType.STATION_CONNECTED, "CP1")
        events.publish(EventType.STATUS_CHANGED, "CP1", {"n": 3})
        event = await subscription.next(0.1)
        assert event is not None
        assert (event.station_id, event.data) == ("CP1", {"n": 3})
        assert await subscription.next(0.01) is None


async def test_every_subscriber_gets_every_event_with_increasing_ids() -> None:
    events = bus()
    with events.subscribe() as one, events.subscribe() as two:
        first = events.publish(EventType.STATION_CONNECTED, "CP1")
        second = events.publish(EventType.STATION_DISCONNECTED, "CP1")
        for subscription in (one, two):
            got = [await subscription.next(0.1), await subscription.next(0.1)]
            assert got == [first, second]
        assert second.id > first.id
        assert second.as_json()["type"] == "station.disconnected"


async def test_a_slow_subscriber_drops_events_and_counts_them_without_blocking() -> None:
    events = bus(queue_size=2)
    with events.subscribe() as slow, events.subscribe(queue_size=100) as fast:
        for n in range(5):
            events.publish(EventType.STATUS_CHANGED, "CP1", {"n": n})  # returns at once
        assert slow.dropped == 3
        assert fast.dropped == 0
        kept = [await slow.next(0.1), await slow.next(0.1)]
        assert [e.data["n"] for e in kept if e is not None] == [0, 1]
        assert len([await fast.next(0.1) for _ in range(5)]) == 5


async def test_closing_the_bus_ends_every_subscription() -> None:
    events = bus()
    subscription = events.subscribe()
    received: list[int] = []

    async def read() -> None:
        async for event in subscription:
            received.append(event.id)

    reader = asyncio.create_task(read())
    events.publish(EventType.STATION_CONNECTED, "CP1")
    await asyncio.sleep(0.01)
    events.close()
    await asyncio.wait_for(reader, 1)
    assert received == [1]
    assert events.subscribers == 0
    assert events.subscribe().closed


async def test_a_closed_subscription_stops_receiving() -> None:
    events = bus()
    subscription = events.subscribe()
    subscription.close()
    events.publish(EventType.STATION_CONNECTED, "CP1")
    assert await subscription.next(0.01) is None
    assert events.subscribers == 0

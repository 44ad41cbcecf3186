"""The numbers of the dashboard's overview: stations online/offline/faulted, connectors by
status, active sessions, energy (and revenue, with billing) today and per day over the
last 30 days, recent faults. Built from the services; kept a couple of seconds, since
live updates may ask for it several times a second on a busy network (for less than the
pages' refresh delay, so that a refresh after an event always sees it)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from csms.domain import ConnectorStatus, StatusEvent, TransactionState
from csms.domain.billing import OrderState
from csms.services.transaction_views import TransactionQuery
from csms.storage.billing import OrderFilter
from csms.web.context import Web

DAYS = 30
_PAST_TTL = 300.0  # seconds the days before today are kept (late offline sessions show then)
_TTL = 0.5  # below the pages' refresh delay (600 ms): a refresh after an event is never stale
_FAULT_STATUSES = frozenset({ConnectorStatus.FAULTED})


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    energy_wh: float
    revenue: Decimal


@dataclass(frozen=True, slots=True)
class Overview:
    stations: int
    online: int
    faulted: int  # stations with a connector Faulted (or reporting an error code)
    connectors: dict[str, int]  # status -> how many
    active_sessions: int
    days: list[Day]  # oldest first, the last one is today (site time zone)
    currency: str
    faults: list[StatusEvent] = field(default_factory=list)  # recent fault reports, newest first
    faulted_ids: frozenset[str] = frozenset()

    @property
    def offline(self) -> int:
        return self.stations - self.online

    @property
    def today(self) -> Day:
        return self.days[-1]

    @property
    def energy_30d(self) -> float:
        return sum(d.energy_wh for d in self.days)

    @property
    def revenue_30d(self) -> Decimal:
        return sum((d.revenue for d in self.days), Decimal(0))


def is_fault(event: StatusEvent) -> bool:
    return event.status in _FAULT_STATUSES or event.error_code not in ("NoError", "")


class OverviewBuilder:
    def __init__(self, web: Web) -> None:
        self._web = web
        self._cached: tuple[float, Overview] | None = None
        self._past: tuple[date, float, list[Day]] | None = None

    async def get(self) -> Overview:
        if self._cached is not None and time.monotonic() - self._cached[0] < _TTL:
            return self._cached[1]
        built = await self._build()
        self._cached = (time.monotonic(), built)
        return built

    async def _build(self) -> Overview:
        services, web = self._web.services, self._web
        stations = {station.id for station in await services.stations.all()}
        online = set(web.gateway.connected())
        connectors: Counter[str] = Counter()
        faults: list[StatusEvent] = []
        for event in await services.statuses.current_all():
            if event.station_id not in stations:
                continue
            if event.evse_id > 0:
                connectors[event.status.value] += 1
            if is_fault(event):
                faults.append(event)
        recent = [
            e for e in await services.statuses.recent_faults(10) if e.station_id in stations
        ]
        days, active = await self._days(web.zone, web.now())
        return Overview(
            stations=len(stations),
            online=len(online & stations),
            faulted=len({f.station_id for f in faults}),
            connectors=dict(connectors),
            active_sessions=active,
            days=days,
            currency=self._web.app.settings.billing_currency,
            faults=recent,  # the latest fault reports, also of connectors since recovered
            faulted_ids=frozenset(f.station_id for f in faults),
        )

    async def _days(self, zone: ZoneInfo, now: datetime) -> tuple[list[Day], int]:
        """Today is counted afresh; the 29 days before it are kept for ``_PAST_TTL``."""
        today = now.astimezone(zone).date()
        queries = self._web.services.queries.transactions
        active = 0
        async for _view in queries.export(TransactionQuery(state=TransactionState.ACTIVE)):
            active += 1
        past = self._past
        if past is None or past[0] != today or time.monotonic() - past[1] > _PAST_TTL:
            first = today - timedelta(days=DAYS - 1)
            days = await self._totals(first, today - timedelta(days=1), zone)
            self._past = past = (today, time.monotonic(), days)
        return [*past[2], *await self._totals(today, today, zone)], active

    async def _totals(self, first: date, last: date, zone: ZoneInfo) -> list[Day]:
        """Energy and revenue per local day from ``first`` to ``last`` (inclusive)."""
        if last < first:
            return []
        since = datetime.combine(first, datetime.min.time(), zone)
        until = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
        span = (last - first).days + 1
        energy: dict[date, float] = {first + timedelta(days=i): 0.0 for i in range(span)}
        queries = self._web.services.queries.transactions
        # a session counts on the day it stopped; it may have started a day earlier
        async for view in queries.export(TransactionQuery(since=since - timedelta(days=1), until=until)):
            tx = view.transaction
            if tx.state is TransactionState.ACTIVE:
                continue
            day = (tx.stopped_at or tx.started_at).astimezone(zone).date()
            if day in energy and view.energy_wh is not None:
                energy[day] += view.energy_wh
        revenue = await self._revenue(since - timedelta(days=1), until, zone, set(energy))
        return [Day(d, wh, revenue.get(d, Decimal(0))) for d, wh in sorted(energy.items())]

    async def _revenue(
        self, since: datetime, until: datetime, zone: ZoneInfo, days: set[date]
    ) -> dict[date, Decimal]:
        """Totals of priced orders (in the default currency) by the local day they stopped."""
        orders = self._web.services.billing.orders
        currency = self._web.app.settings.billing_currency
        revenue: dict[date, Decimal] = {}
        offset = 0
        while True:
            batch = await orders.search(
                OrderFilter(started_after=since, started_before=until, limit=500, offset=offset)
            )
            for order in batch:
                if order.total is None or order.currency != currency or order.stopped_at is None:
                    continue
                if order.state is OrderState.REFUNDED:
                    continue
                day = order.stopped_at.astimezone(zone).date()
                if day in days:
                    revenue[day] = revenue.get(day, Decimal(0)) + order.total
            if len(batch) < 500:
                return revenue
            offset += 500

"""The composition root: ``build_app(settings)`` wires storage, services, handlers and the
gateway the same way for ``csms serve``, the tests and the simulator's end-to-end runs.

``App.run()`` starts everything and runs until :meth:`App.request_stop`; shutdown goes
in explicit steps: stop accepting, close stations (1001), wait bounded, stop the
background tasks, flush storage, close the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field

import structlog
import uvicorn
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.api import create_api
from csms.gateway import Gateway
from csms.handlers import route_tables
from csms.services import (
    AccountService,
    AuthorizationService,
    BillingService,
    Clock,
    CommandService,
    DataTransferService,
    EventBus,
    LocalListService,
    MessageLog,
    Queries,
    RemoteControl,
    ReservationService,
    Services,
    StationDirectory,
    StationService,
    StatusService,
    SystemClock,
    TagService,
    TransactionEvents,
    TransactionService,
    WriteBehind,
)
from csms.services.billing import RemoteStop, TestPaymentProvider, TransactionObservers
from csms.settings import Settings
from csms.storage import Stores
from csms.storage.sql import create_engine, sql_stores, upgrade
from csms.storage.sql.checkpoint import checkpoint_periodically

_log = structlog.get_logger("csms")


def wire_services(settings: Settings, stores: Stores, clock: Clock) -> Services:
    """Every service over the given stores."""
    write_behind = WriteBehind(stores, settings.flush_interval)
    directory = StationDirectory(stores.stations, settings.auto_register)
    events = EventBus(clock)
    billing = _billing(settings, stores, clock, events)
    authorization = AuthorizationService(
        stores.id_tags, stores.transactions, clock, billing.wallets
    )
    commands = CommandService(stores.station_state, events, clock)  # gateway bound in build_app
    reservations = ReservationService(stores.reservations, commands, events, clock)
    return Services(
        clock=clock,
        directory=directory,
        write_behind=write_behind,
        stations=StationService(
            stores.stations,
            directory,
            write_behind,
            clock,
            heartbeat_interval=settings.heartbeat_interval,
            boot_retry_interval=settings.boot_retry_interval,
        ),
        authorization=authorization,
        transactions=TransactionService(
            stores.transactions, authorization, write_behind, clock,
            # billing first: when transaction.stopped is published, the order is priced
            TransactionObservers(billing.observer(), TransactionEvents(events, reservations)),
        ),
        statuses=StatusService(stores.stations, stores.statuses, write_behind, clock, events),
        data_transfer=DataTransferService(),
        message_log=MessageLog(
            stores.messages, write_behind, clock, settings.message_log_retention_days
        ),
        accounts=AccountService(stores.api_keys, clock),
        tags=TagService(stores.id_tags),
        queries=Queries.over(stores, clock),
        events=events,
        commands=commands,
        remote=RemoteControl(
            commands, events, stores.transactions, stores.statuses, stores.reservations,
            stores.id_tags, clock, authorization,
        ),
        reservations=reservations,
        local_lists=LocalListService(stores.station_state, stores.id_tags, commands, clock),
        billing=billing,
    )


def _billing(settings: Settings, stores: Stores, clock: Clock, events: EventBus) -> BillingService:
    return BillingService.over(
        stores, clock, events=events,
        default_currency=settings.billing_currency,
        minimum_balance=settings.billing_minimum_balance,
        persist_every=settings.billing_persist_interval,
        reconcile_every=settings.billing_reconcile_interval,
        providers=[TestPaymentProvider()] if settings.billing_test_payments else [],
    )  # fmt: skip


def _remote_stop(remote: RemoteControl) -> RemoteStop:
    async def stop(station_id: str, transaction_id: int) -> str:
        return (await remote.stop(station_id, transaction_id)).status

    return stop


@dataclass
class App:
    settings: Settings
    stores: Stores
    services: Services
    gateway: Gateway
    engine: AsyncEngine | None = None
    api: FastAPI = field(init=False)
    ocpp_port: int | None = None
    http_port: int | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.api = create_api(self)

    def request_stop(self) -> None:
        self._stop.set()

    async def wait_ready(self) -> None:
        """Return once both ports listen (``ocpp_port``/``http_port`` are then set)."""
        await self._ready.wait()

    async def run(self) -> None:
        """Serve OCPP and HTTP until :meth:`request_stop`, then shut down in order."""
        services, settings = self.services, self.settings
        await services.directory.refresh()
        async with asyncio.TaskGroup() as group:
            background = [
                group.create_task(services.write_behind.run()),
                group.create_task(services.directory.run(settings.directory_refresh_interval)),
                group.create_task(_prune_periodically(services.message_log)),
                group.create_task(services.reservations.run()),
                group.create_task(services.billing.run()),
            ]
            if self.engine is not None and self.engine.dialect.name == "sqlite":
                background.append(group.create_task(checkpoint_periodically(self.engine)))
            self.ocpp_port = await self.gateway.start(settings.host, settings.ocpp_port)
            http = _QuietServer(
                uvicorn.Config(
                    self.api, host=settings.host, port=settings.http_port,
                    lifespan="off", log_config=None, access_log=False,
                )
            )
            http_task = group.create_task(http.serve())
            while not http.started and not http_task.done():  # noqa: ASYNC110 - uvicorn has no event
                await asyncio.sleep(0.01)
            self.http_port = _bound_port(http, settings.http_port)
            self._ready.set()
            _log.info("csms.ready", ocpp_port=self.ocpp_port, http_port=self.http_port)
            await self._stop.wait()
            _log.info("csms.stopping")
            await self.gateway.stop(settings.shutdown_timeout)
            services.events.close()  # ends the live event streams, so HTTP can stop
            http.should_exit = True
            await http_task
            for task in background:
                task.cancel()
        await services.write_behind.close()
        if self.engine is not None:
            await self.engine.dispose()
        _log.info("csms.stopped")


def freeze_startup_objects() -> None:
    """Move everything built at start-up (modules, the API, SQL metadata: ~160 000
    objects) out of the cyclic garbage collector's reach; for the server process.

    They live as long as the process, yet every full collection walked them all: 60-130
    ms during which no station is answered, a p99 in every benchmark scenario (see
    docs/benchmarks.md). Frozen objects are still freed by reference counting; only
    cycles among them would never be collected, and start-up objects are not garbage.
    Not for processes that build many apps (tests): their apps' cycles would pile up.
    """
    gc.collect()
    gc.freeze()


async def build_app(
    settings: Settings, *, clock: Clock | None = None, stores: Stores | None = None
) -> App:
    """Wire csms. Without ``stores``, opens (and migrates) ``settings.database_url``."""
    engine = None
    if stores is None:
        await upgrade(settings.database_url)
        engine = create_engine(settings.database_url, background_checkpoints=True)
        stores = sql_stores(engine)
    services = wire_services(settings, stores, clock or SystemClock())
    gateway = Gateway(settings, services, route_tables())
    services.commands.bind(gateway)
    services.billing.bind_remote_stop(_remote_stop(services.remote))
    return App(settings, stores, services, gateway, engine)


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: csms owns shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bound_port(server: uvicorn.Server, configured: int) -> int:
    for listener in server.servers:
        for sock in listener.sockets:
            port: int = sock.getsockname()[1]
            return port
    return configured


async def _prune_periodically(log: MessageLog, every: float = 3600.0) -> None:
    while True:
        try:
            removed = await log.prune()
            if removed:
                _log.info("message_log.pruned", rows=removed)
        except Exception as error:
            _log.error("message_log.prune_failed", error=repr(error))
        await asyncio.sleep(every)

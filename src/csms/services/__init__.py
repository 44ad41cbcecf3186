"""The rules of csms, by functional block, version-neutral (1.6 and 2.0.1 handlers share them)."""

from __future__ import annotations

from dataclasses import dataclass

from csms.services.accounts import AccountService, DriverWithoutOwner, IssuedKey
from csms.services.authorization import AuthorizationService, StartGate, TagInfo
from csms.services.billing import BillingService
from csms.services.clock import Clock, SystemClock, as_utc
from csms.services.commands import CommandService, RemoteControl
from csms.services.data_transfer import DataTransferAnswer, DataTransferService
from csms.services.directory import Admission, StationDirectory
from csms.services.events import Event, EventBus, EventType
from csms.services.local_lists import LocalListService
from csms.services.message_log import MessageLog
from csms.services.queries import Queries
from csms.services.reservations import ReservationService
from csms.services.stations import BootDecision, StationService
from csms.services.statuses import StatusService
from csms.services.tags import TagExists, TagNotFound, TagService
from csms.services.transaction_events import TransactionEvents
from csms.services.transactions import Reading, Started, Stopped, TransactionService
from csms.services.write_behind import WriteBehind


@dataclass(frozen=True, slots=True)
class Services:
    """Every service, as wired by the composition root (``csms.app``)."""

    clock: Clock
    directory: StationDirectory
    write_behind: WriteBehind
    stations: StationService
    authorization: AuthorizationService
    transactions: TransactionService
    statuses: StatusService
    data_transfer: DataTransferService
    message_log: MessageLog
    accounts: AccountService
    tags: TagService
    queries: Queries
    events: EventBus
    commands: CommandService
    remote: RemoteControl
    reservations: ReservationService
    local_lists: LocalListService
    billing: BillingService


__all__ = [
    "AccountService",
    "Admission",
    "AuthorizationService",
    "BillingService",
    "BootDecision",
    "Clock",
    "CommandService",
    "DataTransferAnswer",
    "DataTransferService",
    "DriverWithoutOwner",
    "Event",
    "EventBus",
    "EventType",
    "IssuedKey",
    "LocalListService",
    "MessageLog",
    "Queries",
    "Reading",
    "RemoteControl",
    "ReservationService",
    "Services",
    "StartGate",
    "Started",
    "StationDirectory",
    "StationService",
    "StatusService",
    "Stopped",
    "SystemClock",
    "TagExists",
    "TagInfo",
    "TagNotFound",
    "TagService",
    "TransactionEvents",
    "TransactionService",
    "WriteBehind",
    "as_utc",
]

"""Persistence: narrow store interfaces, an in-memory fake and the SQL backend."""

from csms.storage.interfaces import (
    BootInfo,
    IdTagStore,
    MessageLogStore,
    MeterValueStore,
    NewTransaction,
    StationExists,
    StationNotFound,
    StationStore,
    StatusStore,
    Stores,
    TransactionFilter,
    TransactionStop,
    TransactionStore,
)
from csms.storage.operations import ApiKeyStore, ReservationStore, StationStateStore

__all__ = [
    "ApiKeyStore",
    "BootInfo",
    "IdTagStore",
    "MessageLogStore",
    "MeterValueStore",
    "NewTransaction",
    "ReservationStore",
    "StationExists",
    "StationNotFound",
    "StationStateStore",
    "StationStore",
    "StatusStore",
    "Stores",
    "TransactionFilter",
    "TransactionStop",
    "TransactionStore",
]

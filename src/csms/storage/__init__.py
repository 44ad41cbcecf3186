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

__all__ = [
    "BootInfo",
    "IdTagStore",
    "MessageLogStore",
    "MeterValueStore",
    "NewTransaction",
    "StationExists",
    "StationNotFound",
    "StationStore",
    "StatusStore",
    "Stores",
    "TransactionFilter",
    "TransactionStop",
    "TransactionStore",
]

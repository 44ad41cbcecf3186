"""Read models for the API, built over the stores (routes never touch a store)."""

from __future__ import annotations

from dataclasses import dataclass

from csms.services.clock import Clock
from csms.services.station_views import StationViews
from csms.services.transaction_views import TransactionViews
from csms.storage import Stores


@dataclass(frozen=True, slots=True)
class Queries:
    stations: StationViews
    transactions: TransactionViews

    @classmethod
    def over(cls, stores: Stores, clock: Clock) -> Queries:
        return cls(
            StationViews(stores.stations, stores.statuses, stores.station_state),
            TransactionViews(stores.transactions, stores.meter_values, stores.id_tags, clock),
        )

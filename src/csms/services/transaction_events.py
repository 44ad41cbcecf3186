"""Transactions, once stored, as live events; a StartTransaction with a reservationId
closes that reservation (OCPP 1.6 §5.13). Implements the transaction service's
:class:`~csms.services.transactions.TransactionObserver`; never raises into OCPP handling.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import structlog

from csms.domain import MeterSample, Transaction
from csms.services.events import EventBus, EventType, sample_json, transaction_json
from csms.services.reservations import ReservationService

_log = structlog.get_logger(__name__)


class TransactionEvents:
    def __init__(self, events: EventBus, reservations: ReservationService | None = None) -> None:
        self._events = events
        self._reservations = reservations

    async def started(self, transaction: Transaction) -> None:
        self._events.publish(
            EventType.TRANSACTION_STARTED, transaction.station_id, transaction_json(transaction)
        )
        if transaction.reservation_id is not None and self._reservations is not None:
            try:
                await self._reservations.use(
                    transaction.station_id, transaction.reservation_id, transaction.id
                )
            except Exception as error:
                _log.error("reservation.use_failed", error=repr(error), id=transaction.reservation_id)

    async def updated(self, samples: Sequence[MeterSample]) -> None:
        """One ``transaction.updated`` per transaction with its newest meter values."""
        by_transaction: dict[int, list[MeterSample]] = defaultdict(list)
        for sample in samples:
            if sample.transaction_id is not None:
                by_transaction[sample.transaction_id].append(sample)
        for transaction_id, found in by_transaction.items():
            first = found[0]
            self._events.publish(
                EventType.TRANSACTION_UPDATED,
                first.station_id,
                {
                    "transaction_id": transaction_id,
                    "evse_id": first.evse_id,
                    "connector_id": first.connector_id,
                    "meter_values": [sample_json(s) for s in found],
                },
            )

    async def stopped(self, transaction: Transaction) -> None:
        self._events.publish(
            EventType.TRANSACTION_STOPPED, transaction.station_id, transaction_json(transaction)
        )

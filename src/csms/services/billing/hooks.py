"""How billing follows transactions: an observer of the transaction service
(:class:`~csms.services.transactions.TransactionObserver`) that opens, updates and prices
orders, and a fan-out so that billing and the live events observe the same transactions.

Billing never breaks OCPP handling: a failure is logged and the station is answered as
usual; :meth:`OrderService.reconcile` prices what was missed.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from csms.domain import MeterSample, Transaction
from csms.services.billing.orders import OrderService
from csms.services.transactions import TransactionObserver

_log = structlog.get_logger(__name__)


class BillingObserver:
    def __init__(self, orders: OrderService) -> None:
        self._orders = orders

    async def started(self, transaction: Transaction) -> None:
        try:
            await self._orders.started(transaction)
        except Exception as error:
            _log.error("billing.open_failed", transaction_id=transaction.id, error=repr(error))

    async def updated(self, samples: Sequence[MeterSample]) -> None:
        try:
            await self._orders.updated(samples)
        except Exception as error:
            _log.error("billing.running_cost_failed", error=repr(error))

    async def stopped(self, transaction: Transaction) -> None:
        try:
            await self._orders.finish(transaction)
        except Exception as error:
            _log.error("billing.pricing_failed", transaction_id=transaction.id, error=repr(error))


class TransactionObservers:
    """Several observers of the transaction service, told one after the other."""

    def __init__(self, *observers: TransactionObserver) -> None:
        self._observers = observers

    async def started(self, transaction: Transaction) -> None:
        for observer in self._observers:
            await observer.started(transaction)

    async def updated(self, samples: Sequence[MeterSample]) -> None:
        for observer in self._observers:
            await observer.updated(samples)

    async def stopped(self, transaction: Transaction) -> None:
        for observer in self._observers:
            await observer.stopped(transaction)

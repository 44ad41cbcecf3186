"""The queue of transaction-related messages (OCPP 1.6 §3.4, §4.7, §4.8, §4.10).

StartTransaction, transaction MeterValues and StopTransaction must reach the central
system, in order, even across connection loss: a station that cannot send them keeps
them and delivers them once connected again, each with the timestamp it was made
with. Every such message goes through this queue, connected or not, so that a message
made online can never overtake one still waiting from offline.

A StartTransaction made offline has no transaction id yet: the transaction carries a
provisional negative id, and the MeterValues/StopTransaction queued behind it get the
central system's id (``resolved``) when they are finally sent.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec

from csms.ocpp.messages import v16
from csms.simulator.state import Transaction

TransactionMessage = (
    v16.StartTransactionRequest | v16.MeterValuesRequest | v16.StopTransactionRequest
)


@dataclass(slots=True)
class Pending:
    """A queued message; ``waiter`` resolves with the response, or None if it stays queued."""

    action: str
    request: TransactionMessage
    transaction: Transaction | None
    waiter: asyncio.Future[msgspec.Struct | None] | None = None

    def resolved(self) -> TransactionMessage:
        """The request with the transaction id the central system has assigned since."""
        tx = self.transaction
        request = self.request
        if tx is None or isinstance(request, v16.StartTransactionRequest):
            return request
        return msgspec.structs.replace(request, transaction_id=tx.transaction_id)

    def settle(
        self, response: msgspec.Struct | None = None, error: Exception | None = None
    ) -> None:
        """Tell whoever awaits this message what became of it (once)."""
        waiter, self.waiter = self.waiter, None
        if waiter is None or waiter.done():
            return
        if error is not None:
            waiter.set_exception(error)
        else:
            waiter.set_result(response)


@dataclass(slots=True)
class OfflineQueue:
    """FIFO of transaction messages not yet answered by the central system."""

    _items: deque[Pending] = field(default_factory=deque)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Pending]:
        return iter(self._items)

    def append(self, item: Pending) -> None:
        self._items.append(item)

    def head(self) -> Pending | None:
        return self._items[0] if self._items else None

    def pop(self) -> Pending:
        return self._items.popleft()

    def actions(self) -> list[str]:
        """The actions waiting, oldest first."""
        return [item.action for item in self._items]

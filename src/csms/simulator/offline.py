"""The queue of transaction-related messages (OCPP 1.6 §3.4, §4.7, §4.8, §4.10).

StartTransaction, transaction MeterValues and StopTransaction must reach the central
system, in order, even across connection loss: a station that cannot send them keeps
them and delivers them once connected again, each with the timestamp it was made
with. Every such message goes through this queue, connected or not, so that a message
made online can never overtake one still waiting from offline.

A StartTransaction made offline has no transaction id yet: the transaction carries a
provisional negative id, replaced by the central system's when it answers, and the
MeterValues/StopTransaction queued behind it are sent with the real one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec

from csms.ocpp.messages import v16
from csms.simulator.errors import ConnectionLost, SimulatorError
from csms.simulator.state import Transaction

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation

TransactionMessage = (
    v16.StartTransactionRequest | v16.MeterValuesRequest | v16.StopTransactionRequest
)
_RESPONSES: dict[str, type[msgspec.Struct]] = {
    "StartTransaction": v16.StartTransactionResponse,
    "MeterValues": v16.MeterValuesResponse,
    "StopTransaction": v16.StopTransactionResponse,
}


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


class OfflineQueue:
    """FIFO of transaction messages not yet answered, and the task that delivers them."""

    def __init__(self, station: SimulatedStation) -> None:
        self._station = station
        self._items: deque[Pending] = deque()
        self._delivery: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def actions(self) -> list[str]:
        """The actions waiting, oldest first."""
        return [item.action for item in self._items]

    async def submit(
        self, request: TransactionMessage, tx: Transaction | None
    ) -> msgspec.Struct | None:
        """Queue ``request``; its response once delivered, or None while it stays queued."""
        action = type(request).__name__.removesuffix("Request")
        item = Pending(action, request, tx)
        self._items.append(item)
        station = self._station
        if not (station.connected and station.registration.accepted):
            station.emit(f"{action} queued while offline ({len(self._items)} waiting)")
            return None
        item.waiter = asyncio.get_running_loop().create_future()
        waiter = item.waiter
        self.flush()
        return await waiter

    def flush(self) -> None:
        """Start delivering, unless that is under way."""
        if self._delivery is None or self._delivery.done():
            self._delivery = self._station.spawn(self._deliver(), "offline queue")

    async def drain(self) -> None:
        """Wait until everything is delivered, or delivery stopped because the link is gone."""
        task = self._delivery
        if task is not None and not task.done() and task is not asyncio.current_task():
            await asyncio.wait({task})

    async def _deliver(self) -> None:
        station = self._station
        while self._items and station.connected:
            item = self._items[0]
            try:
                response = await station.typed_call(
                    item.action, item.resolved(), _RESPONSES[item.action]
                )
            except ConnectionLost:
                item.settle(None)  # stays queued for the next connection
                return
            except SimulatorError as error:  # CALLERROR, timeout: retries are not simulated
                self._items.popleft()
                station.emit(f"{item.action} failed: {error}")
                item.settle(error=error)
                continue
            self._items.popleft()
            _assign_id(item, response)
            station.delivered(item.request, item.transaction, response)
            item.settle(response)


def _assign_id(item: Pending, response: msgspec.Struct) -> None:
    tx = item.transaction
    if isinstance(response, v16.StartTransactionResponse) and tx is not None:
        tx.transaction_id, tx.confirmed = response.transaction_id, True

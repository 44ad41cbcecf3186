"""Authorization of id tags (OCPP 1.6 §4.1 Authorize, §7.15 IdTagInfo; 2.0.1 C01).

One rule for both versions: a tag that csms does not know is Invalid; a stored tag
answers its own status, Expired once its expiry date has passed, and ConcurrentTx when
it is already charging elsewhere and the caller asks about a new transaction. With a
wallet gate (billing), an otherwise Accepted tag whose driver's wallet is below the
minimum balance is Blocked (docs/adr/0004): "not allowed for charging" is true of a
valid tag that cannot pay, Invalid would say the tag is unknown and Expired that its date
passed. The gate's reason is kept on :class:`TagInfo` for API callers (remote start).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from csms.domain import AuthorizationStatus, IdTag, TransactionState
from csms.services.clock import Clock
from csms.storage import IdTagStore, TransactionFilter, TransactionStore


@dataclass(frozen=True, slots=True)
class TagInfo:
    """What the station is told about a tag (IdTagInfo)."""

    status: AuthorizationStatus
    expiry_date: datetime | None = None
    parent_id_tag: str | None = None
    reason: str | None = None  # why not Accepted, for people (never sent to a station)


class StartGate(Protocol):
    """Whether a tag may start a new session beyond its own status (the wallet)."""

    async def allows(self, tag: IdTag) -> tuple[bool, str | None]:
        """(True, None), or (False, the reason for people)."""
        ...


class AuthorizationService:
    def __init__(
        self,
        tags: IdTagStore,
        transactions: TransactionStore,
        clock: Clock,
        gate: StartGate | None = None,
    ) -> None:
        self._tags = tags
        self._transactions = transactions
        self._clock = clock
        self._gate = gate

    async def authorize(self, id_tag: str, *, exclude_transaction: int | None = None) -> TagInfo:
        """The status of ``id_tag`` for starting a new transaction.

        ConcurrentTx when the tag has an active transaction other than
        ``exclude_transaction``; Blocked when the gate (the wallet) says no.
        """
        tag = await self._tags.get(id_tag)
        if tag is None:
            return TagInfo(AuthorizationStatus.INVALID)
        status = tag.status
        if (
            status is AuthorizationStatus.ACCEPTED
            and tag.expiry_date is not None
            and tag.expiry_date <= self._clock.now()
        ):
            status = AuthorizationStatus.EXPIRED
        if status is AuthorizationStatus.ACCEPTED and await self._busy_elsewhere(
            id_tag, exclude_transaction
        ):
            status = AuthorizationStatus.CONCURRENT_TX
        if status is AuthorizationStatus.ACCEPTED and self._gate is not None:
            allowed, reason = await self._gate.allows(tag)
            if not allowed:
                return TagInfo(AuthorizationStatus.BLOCKED, tag.expiry_date, tag.parent_id_tag, reason)
        return TagInfo(status, tag.expiry_date, tag.parent_id_tag)

    async def describe(self, id_tag: str) -> TagInfo:
        """The tag's status without the concurrency check (for StopTransaction)."""
        tag = await self._tags.get(id_tag)
        if tag is None:
            return TagInfo(AuthorizationStatus.INVALID)
        status = tag.status
        if tag.expiry_date is not None and tag.expiry_date <= self._clock.now():
            status = AuthorizationStatus.EXPIRED
        return TagInfo(status, tag.expiry_date, tag.parent_id_tag)

    async def _busy_elsewhere(self, id_tag: str, exclude: int | None) -> bool:
        active = await self._transactions.search(
            TransactionFilter(id_tag=id_tag, state=TransactionState.ACTIVE, limit=2)
        )
        return any(tx.id != exclude for tx in active)

"""The payment provider port: how money gets into a wallet from a card (and back).

csms processes no cards itself. A provider (a PSP adapter) takes a ``token`` that the
driver's app obtained from the PSP and answers with a :class:`Payment`. Providers must be
idempotent on ``idempotency_key``: the same key returns the same payment, so a retried
top-up never charges twice. :class:`TestPaymentProvider` is the one for tests and demos.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class PaymentStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Payment:
    """A provider's answer; ``id`` is its reference (kept on the ledger entry)."""

    id: str
    status: PaymentStatus
    amount: Decimal
    currency: str
    reason: str | None = None


class PaymentError(Exception):
    """The provider could not be reached or failed; nothing was charged (retry later)."""


class PaymentProvider(Protocol):
    @property
    def name(self) -> str: ...

    async def charge(
        self, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> Payment:
        """Take ``amount`` from the payment method behind ``token``."""
        ...

    async def refund(
        self, payment_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> Payment:
        """Give ``amount`` of an earlier payment back to its payment method."""
        ...


class TestPaymentProvider:
    """A provider that charges nobody. Tokens: ``tok_declined`` is declined,
    ``tok_error`` raises PaymentError, anything else succeeds."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "test") -> None:
        self._name = name
        self._ids = itertools.count(1)
        self._by_key: dict[str, Payment] = {}
        self.charged: dict[str, Payment] = {}

    @property
    def name(self) -> str:
        return self._name

    async def charge(
        self, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> Payment:
        if token == "tok_error":
            raise PaymentError("the test provider is down (token tok_error)")
        if idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        if token == "tok_declined":
            payment = Payment(self._next("pay"), PaymentStatus.DECLINED, amount, currency,
                              "card declined (token tok_declined)")  # fmt: skip
        else:
            payment = Payment(self._next("pay"), PaymentStatus.SUCCEEDED, amount, currency)
            self.charged[payment.id] = payment
        self._by_key[idempotency_key] = payment
        return payment

    async def refund(
        self, payment_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> Payment:
        if idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        original = self.charged.get(payment_id)
        if original is None or original.currency != currency or amount > original.amount:
            refund = Payment(self._next("re"), PaymentStatus.DECLINED, amount, currency,
                             f"no payment {payment_id} of at least {amount} {currency}")  # fmt: skip
        else:
            refund = Payment(self._next("re"), PaymentStatus.SUCCEEDED, amount, currency)
        self._by_key[idempotency_key] = refund
        return refund

    def _next(self, prefix: str) -> str:
        return f"{prefix}_{self._name}_{next(self._ids)}"


PaymentProviders = Mapping[str, PaymentProvider]
"""The configured providers by name."""

"""Driver and wallet resources: accounts, balance, ledger entries, top-ups and refunds.
Amounts are decimal strings in the wallet's currency."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from csms.domain.billing import Driver, EntryKind, LedgerEntry
from csms.services.billing import Wallet

Amount = Decimal


class DriverCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"id": "alice", "currency": "EUR", "name": "Alice",
                                       "group": "staff", "session_limit": "30.00"}},
    )  # fmt: skip

    id: str = Field(min_length=1, max_length=100, description="also the owner of the driver's id tags and keys")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$", description="of the wallet; fixed")
    name: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=320)
    group: str | None = Field(None, min_length=1, max_length=100, description="a driver group (tariffs)")
    session_limit: Amount | None = Field(None, gt=0, description="default pre-payment limit per session")


class DriverUpdate(BaseModel):
    """Fields left out keep their value; null clears email, group or the limit."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    group: str | None = Field(None, min_length=1, max_length=100)
    session_limit: Amount | None = Field(None, gt=0)


class DriverPublic(BaseModel):
    id: str
    currency: str
    name: str
    email: str | None
    group: str | None
    session_limit: Amount | None
    created_at: datetime

    @classmethod
    def of(cls, driver: Driver) -> DriverPublic:
        return cls(id=driver.id, currency=driver.currency, name=driver.name, email=driver.email,
                   group=driver.group, session_limit=driver.session_limit, created_at=driver.created_at)  # fmt: skip


class WalletPublic(BaseModel):
    driver_id: str
    currency: str
    balance: Amount = Field(description="the sum of the ledger")
    minimum_balance: Amount = Field(description="below this the driver's tags are Blocked")
    can_start: bool
    reason: str | None = Field(description="why charging cannot start, if it cannot")

    @classmethod
    def of(cls, wallet: Wallet, can_start: bool, reason: str | None) -> WalletPublic:
        return cls(driver_id=wallet.driver_id, currency=wallet.currency, balance=wallet.balance,
                   minimum_balance=wallet.minimum_balance, can_start=can_start, reason=reason)  # fmt: skip


class LedgerEntryPublic(BaseModel):
    """An immutable movement of money: positive in, negative out."""

    id: int
    kind: EntryKind
    amount: Amount
    currency: str
    created_at: datetime
    order_id: int | None
    reference: str | None = Field(description="the payment provider's id of the payment or refund")
    note: str

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerEntryPublic:
        return cls(id=entry.id, kind=entry.kind, amount=entry.amount, currency=entry.currency,
                   created_at=entry.created_at, order_id=entry.order_id, reference=entry.reference,
                   note=entry.note)  # fmt: skip


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = Field(examples=["test"])
    token: str = Field(min_length=1, max_length=500, description="from the provider's client SDK",
                       examples=["tok_visa"])  # fmt: skip


class TopUp(BaseModel):
    """Money into the wallet: through a payment provider (``payment``; drivers must), or
    received by an operator otherwise (cash, transfer)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"amount": "20.00", "idempotency_key": "app-7f3c",
                                       "payment": {"provider": "test", "token": "tok_visa"}}},
    )  # fmt: skip

    amount: Amount = Field(gt=0)
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=100,
        description="retrying with the same key never moves money twice (required with payment)",
    )  # fmt: skip
    note: str = Field("", max_length=500)
    payment: PaymentIn | None = None


class Payout(BaseModel):
    """Balance paid back to the card of an earlier provider payment."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount = Field(gt=0)
    provider: str
    payment_id: str = Field(description="the `reference` of the top-up to refund")
    idempotency_key: str = Field(min_length=1, max_length=100)


class Adjustment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount = Field(description="positive or negative")
    note: str = Field(min_length=1, max_length=500)

"""Wallets: top-ups by an operator and through the payment provider port, payouts,
adjustments; every movement an immutable ledger entry, the balance their sum."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from csms.domain.billing import Driver, EntryKind
from csms.services.billing import (
    DriverNotFound,
    PaymentDeclined,
    PaymentError,
    WalletError,
)
from csms.storage import DriverExists
from tests.billing.conftest import Billing


async def test_a_provider_top_up_with_the_same_key_charges_once(billing: Billing) -> None:
    await billing.driver(balance="0")
    wallets = billing.services.billing.wallets

    first, created = await wallets.pay_in("alice", D("20"), provider="test", token="tok_visa",
                                          idempotency_key="k1")  # fmt: skip
    again, created_again = await wallets.pay_in("alice", D("20"), provider="test",
                                                token="tok_visa", idempotency_key="k1")  # fmt: skip

    assert (created, created_again, again) == (True, False, first)
    assert (first.kind, first.amount, first.reference) == (EntryKind.TOP_UP, D("20.00"), "pay_test_1")
    assert (await wallets.wallet("alice")).balance == D("20.00")


async def test_declined_and_failing_payments_move_no_money(billing: Billing) -> None:
    await billing.driver(balance="0")
    wallets = billing.services.billing.wallets

    with pytest.raises(PaymentDeclined, match="declined"):
        await wallets.pay_in("alice", D(20), provider="test", token="tok_declined", idempotency_key="a")
    with pytest.raises(PaymentError):
        await wallets.pay_in("alice", D(20), provider="test", token="tok_error", idempotency_key="b")
    with pytest.raises(WalletError, match="unknown payment provider 'stripe'"):
        await wallets.pay_in("alice", D(20), provider="stripe", token="tok", idempotency_key="c")

    assert await wallets.ledger("alice") == []


async def test_a_payout_goes_back_to_the_card_and_never_beyond_the_balance(billing: Billing) -> None:
    await billing.driver(balance="0")
    wallets = billing.services.billing.wallets
    paid, _ = await wallets.pay_in("alice", D(30), provider="test", token="tok", idempotency_key="p")
    assert paid.reference is not None

    entry, _ = await wallets.payout("alice", D("12.50"), provider="test", payment_id=paid.reference,
                                    idempotency_key="r1")  # fmt: skip

    assert (entry.kind, entry.amount) == (EntryKind.PAYOUT, D("-12.50"))
    assert (await wallets.wallet("alice")).balance == D("17.50")
    with pytest.raises(WalletError, match="less than"):
        await wallets.payout("alice", D(20), provider="test", payment_id=paid.reference,
                             idempotency_key="r2")  # fmt: skip


async def test_operator_movements_and_amount_rules(billing: Billing) -> None:
    await billing.driver(balance="10")
    wallets = billing.services.billing.wallets

    await wallets.adjust("alice", D("-2.5"), note="goodwill reversed")
    with pytest.raises(WalletError, match="positive"):
        await wallets.top_up("alice", D(0))
    with pytest.raises(WalletError, match="whole amount"):
        await wallets.top_up("alice", D("0.001"))
    with pytest.raises(DriverNotFound):
        await wallets.top_up("nobody", D(1))

    assert (await wallets.wallet("alice")).balance == D("7.50")
    assert [e.note for e in await wallets.ledger("alice")] == ["goodwill reversed", ""]


async def test_drivers(billing: Billing) -> None:
    wallets = billing.services.billing.wallets
    await billing.driver("alice", balance="0", name="Alice")

    with pytest.raises(DriverExists):
        await wallets.add_driver(Driver("alice", "EUR", billing.clock.now()))
    with pytest.raises(ValueError, match="ISO 4217"):
        await wallets.add_driver(Driver("bob", "euro", billing.clock.now()))
    assert [d.name for d in await wallets.drivers()] == ["Alice"]
    assert (await wallets.driver_of("TAG-1")) == await wallets.driver("alice")
    assert await wallets.driver_of("NO-TAG") is None

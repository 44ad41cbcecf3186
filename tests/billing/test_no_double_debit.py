"""Money moves once, whatever the station retransmits and however the calls interleave —
on memory, SQLite and PostgreSQL (``any_billing``)."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

from csms.domain.billing import EntryKind, OrderState
from tests.billing.conftest import Billing
from tests.billing.kit import eur

SPEC = eur(energy_per_kwh="0.40", session_fee="0.50", tax_rate="0.20")


async def test_racing_retransmitted_stops_debit_once(any_billing: Billing) -> None:
    billing = any_billing
    await billing.tariff(SPEC)
    await billing.driver(balance="50")
    transaction_id = (await billing.start())["transactionId"]
    await billing.meter(transaction_id, "2025-01-15T10:15:00Z", 5000)

    answers = await asyncio.gather(
        *(billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000) for _ in range(10))
    )

    assert all(answer == {"idTagInfo": {"status": "Accepted"}} for answer in answers)
    wallets = billing.services.billing.wallets
    ledger = await wallets.ledger("alice")
    assert [(e.kind, e.amount) for e in ledger] == [
        (EntryKind.CHARGE, D("-5.40")), (EntryKind.TOP_UP, D("50.00"))
    ]  # fmt: skip
    assert (await wallets.wallet("alice")).balance == D("44.60")
    order = await billing.services.billing.orders.by_transaction(transaction_id)
    assert order is not None
    assert (order.state, order.total) == (OrderState.PAID, D("5.40"))


async def test_racing_stops_and_reconciliation_debit_once(any_billing: Billing) -> None:
    billing = any_billing
    await billing.tariff(SPEC)
    await billing.driver(balance="50")
    transaction_id = (await billing.start())["transactionId"]
    orders = billing.services.billing.orders

    await asyncio.gather(
        billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000),
        orders.reconcile(),
        billing.stop(transaction_id, "2025-01-15T10:30:00Z", 10000),
        orders.reconcile(),
    )
    await orders.reconcile()

    charges = [e for e in await billing.services.billing.wallets.ledger("alice")
               if e.kind is EntryKind.CHARGE]  # fmt: skip
    assert [e.amount for e in charges] == [D("-5.40")]

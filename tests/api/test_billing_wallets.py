"""Drivers and wallets through the REST API: accounts, balance, ledger, top-ups (operator
and payment provider, idempotent), payouts, adjustments; a driver sees only their own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from csms.app import App
from csms.domain import IdTag
from csms.testing import FakeClock, api_client, issue_key
from tests.api.billing_kit import billing_app


@pytest.fixture
async def app(clock: FakeClock) -> AsyncIterator[App]:
    async for running in billing_app(clock):
        yield running


@pytest.fixture
async def alice(operator: httpx.AsyncClient, app: App) -> None:
    created = await operator.post("/api/v1/drivers", json={"id": "alice", "name": "Alice", "group": "staff"})
    assert created.status_code == 201, created.text
    await app.stores.id_tags.upsert(IdTag("MINE", owner="alice"))


async def test_drivers_are_created_listed_and_changed(operator: httpx.AsyncClient, alice: None) -> None:
    again = await operator.post("/api/v1/drivers", json={"id": "alice"})
    assert (again.status_code, again.json()["error"]) == (409, "driver_exists")
    listed = (await operator.get("/api/v1/drivers")).json()
    assert [d["id"] for d in listed["items"]] == ["alice"]
    patched = await operator.patch("/api/v1/drivers/alice", json={"session_limit": "30", "group": None})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["session_limit"], patched.json()["group"], patched.json()["name"]) == (
        "30.00", None, "Alice"
    )  # fmt: skip
    assert (await operator.get("/api/v1/drivers/nobody")).status_code == 404
    bad = await operator.patch("/api/v1/drivers/alice", json={"session_limit": "0.001"})
    assert bad.status_code == 422


async def test_an_operator_tops_up_and_the_balance_is_the_ledger(operator: httpx.AsyncClient, alice: None) -> None:
    first = await operator.post("/api/v1/wallets/alice/top-ups",
                                json={"amount": "20", "note": "cash", "idempotency_key": "r-1"})  # fmt: skip
    again = await operator.post("/api/v1/wallets/alice/top-ups",
                                json={"amount": "20", "note": "cash", "idempotency_key": "r-1"})  # fmt: skip
    adjusted = await operator.post("/api/v1/wallets/alice/adjustments", json={"amount": "-2.50", "note": "fix"})

    assert (first.status_code, again.status_code, adjusted.status_code) == (201, 200, 201)
    assert again.json() == first.json()
    wallet = (await operator.get("/api/v1/wallets/alice")).json()
    assert wallet == {"driver_id": "alice", "currency": "EUR", "balance": "17.50",
                      "minimum_balance": "5.00", "can_start": True, "reason": None}  # fmt: skip
    ledger = (await operator.get("/api/v1/wallets/alice/ledger")).json()["items"]
    assert [(e["kind"], e["amount"]) for e in ledger] == [("adjustment", "-2.50"), ("top_up", "20.00")]


async def test_a_driver_pays_in_through_the_provider_once_per_key(app: App, alice: None) -> None:
    async with api_client(app, await issue_key(app, "driver", owner="alice")) as me:
        low = (await me.get("/api/v1/wallets/me")).json()
        body = {"amount": "25.00", "idempotency_key": "app-1", "payment": {"provider": "test", "token": "tok_visa"}}
        paid = await me.post("/api/v1/wallets/me/top-ups", json=body)
        replay = await me.post("/api/v1/wallets/me/top-ups", json=body)
        declined = await me.post("/api/v1/wallets/me/top-ups", json={
            **body, "idempotency_key": "app-2", "payment": {"provider": "test", "token": "tok_declined"}})
        down = await me.post("/api/v1/wallets/me/top-ups", json={
            **body, "idempotency_key": "app-3", "payment": {"provider": "test", "token": "tok_error"}})
        cash = await me.post("/api/v1/wallets/me/top-ups", json={"amount": "5"})
        keyless = await me.post("/api/v1/wallets/me/top-ups", json={**body, "idempotency_key": None})
        wallet = (await me.get("/api/v1/wallets/alice")).json()

    assert (low["balance"], low["can_start"]) == ("0.00", False)
    assert "below the 5.00 EUR" in low["reason"]
    assert (paid.status_code, replay.status_code) == (201, 200)
    assert paid.json()["reference"] == "pay_test_1"
    assert (declined.status_code, declined.json()["error"]) == (402, "payment_declined")
    assert (down.status_code, down.json()["error"]) == (502, "payment_provider_error")
    assert (cash.status_code, keyless.status_code) == (403, 422)
    assert (wallet["balance"], wallet["can_start"]) == ("25.00", True)


async def test_a_payout_goes_back_to_the_card(operator: httpx.AsyncClient, alice: None, app: App) -> None:
    async with api_client(app, await issue_key(app, "driver", owner="alice")) as me:
        paid = await me.post("/api/v1/wallets/me/top-ups", json={
            "amount": "30", "idempotency_key": "k", "payment": {"provider": "test", "token": "tok"}})
    reference = paid.json()["reference"]

    out = await operator.post("/api/v1/wallets/alice/payouts", json={
        "amount": "10", "provider": "test", "payment_id": reference, "idempotency_key": "p1"})
    too_much = await operator.post("/api/v1/wallets/alice/payouts", json={
        "amount": "100", "provider": "test", "payment_id": reference, "idempotency_key": "p2"})
    unknown = await operator.post("/api/v1/wallets/alice/payouts", json={
        "amount": "1", "provider": "nope", "payment_id": reference, "idempotency_key": "p3"})

    assert (out.status_code, out.json()["kind"], out.json()["amount"]) == (201, "payout", "-10.00")
    assert (too_much.status_code, too_much.json()["error"]) == (409, "insufficient_balance")
    assert unknown.status_code == 422
    assert (await operator.get("/api/v1/wallets/alice")).json()["balance"] == "20.00"


async def test_a_driver_sees_only_their_own_wallet(app: App, alice: None, operator: httpx.AsyncClient) -> None:
    await operator.post("/api/v1/drivers", json={"id": "bob"})
    async with api_client(app, await issue_key(app, "driver", owner="alice")) as me:
        assert (await me.get("/api/v1/drivers/me")).json()["id"] == "alice"
        assert (await me.get("/api/v1/drivers/bob")).status_code == 404
        assert (await me.get("/api/v1/wallets/bob")).status_code == 404
        assert (await me.get("/api/v1/wallets/bob/ledger")).status_code == 404
        assert (await me.get("/api/v1/drivers")).status_code == 403
        assert (await me.post("/api/v1/drivers", json={"id": "eve"})).status_code == 403
        assert (await me.post("/api/v1/wallets/me/adjustments", json={"amount": "9", "note": "x"})).status_code == 403
        assert (await me.post("/api/v1/wallets/me/payouts", json={
            "amount": "1", "provider": "test", "payment_id": "x", "idempotency_key": "y"})).status_code == 403
    assert (await operator.get("/api/v1/drivers/me")).status_code == 404

"""Wallets: balance, ledger, top-ups, payouts and adjustments. A driver key sees and tops
up (through a payment provider) only its own wallet (``me``); the rest is admin/operator."""

from __future__ import annotations

from fastapi import APIRouter, Response

from csms.api.auth import AnyKey, Principal, StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import ApiError, error_responses
from csms.api.models.common import Page, PagingDep
from csms.api.models.wallets import (
    Adjustment,
    LedgerEntryPublic,
    Payout,
    TopUp,
    WalletPublic,
)
from csms.api.routes.drivers import driver_or_404, own_driver_id
from csms.domain.billing import LedgerEntry
from csms.services.billing import (
    InsufficientBalance,
    PaymentDeclined,
    PaymentError,
    WalletError,
)

router = APIRouter(tags=["Wallets"], responses=error_responses(401, 403, 404))


def wallet_error(error: Exception) -> ApiError:
    """How a refused movement of money reaches the caller."""
    if isinstance(error, PaymentDeclined):
        return ApiError(402, "payment_declined", str(error))
    if isinstance(error, PaymentError):
        return ApiError(502, "payment_provider_error", str(error) or "the payment provider failed")
    if isinstance(error, InsufficientBalance):
        return ApiError(409, "insufficient_balance", str(error))
    return ApiError(422, "validation_error", f"body: {error}")


def _created(response: Response, created: bool) -> None:
    response.status_code = 201 if created else 200


@router.get("/wallets/{driver_id}", summary="Show a wallet", response_model=WalletPublic)
async def get_wallet(driver_id: str, caller: AnyKey, services: ServicesDep) -> WalletPublic:
    """Balance (the sum of the ledger) and whether the driver may start charging."""
    driver = await driver_or_404(services, own_driver_id(caller, driver_id))
    wallets = services.billing.wallets
    wallet = await wallets.wallet(driver.id)
    allowed, reason = await wallets.check(driver)
    return WalletPublic.of(wallet, allowed, reason)


@router.get("/wallets/{driver_id}/ledger", summary="List ledger entries",
            response_model=Page[LedgerEntryPublic])  # fmt: skip
async def list_entries(
    driver_id: str, caller: AnyKey, services: ServicesDep, paging: PagingDep
) -> Page[LedgerEntryPublic]:
    """Newest first. Entries never change; corrections are new entries."""
    driver = await driver_or_404(services, own_driver_id(caller, driver_id))
    entries = await services.billing.wallets.ledger(driver.id, paging.fetch, paging.offset)
    return paging.page(entries, LedgerEntryPublic.of)


@router.post("/wallets/{driver_id}/top-ups", summary="Top up a wallet", status_code=201,
             response_model=LedgerEntryPublic, responses=error_responses(402, 422, 502))  # fmt: skip
async def top_up(
    driver_id: str, body: TopUp, caller: AnyKey, services: ServicesDep, response: Response
) -> LedgerEntryPublic:
    """With `payment`, the payment provider is charged first (a driver must pay this way).
    Without it, an operator records money received otherwise. A retry with the same
    `idempotency_key` answers 200 with the first entry and moves no money."""
    driver = await driver_or_404(services, own_driver_id(caller, driver_id))
    _may_top_up(caller, body)
    wallets = services.billing.wallets
    try:
        if body.payment is not None:
            assert body.idempotency_key is not None
            entry, created = await wallets.pay_in(driver.id, body.amount, provider=body.payment.provider,
                                                  token=body.payment.token,
                                                  idempotency_key=body.idempotency_key)  # fmt: skip
        else:
            key = f"operator:{driver.id}:{body.idempotency_key}" if body.idempotency_key else None
            entry, created = await wallets.top_up(driver.id, body.amount, note=body.note, idempotency_key=key)
    except (WalletError, PaymentError) as error:
        raise wallet_error(error) from None
    _created(response, created)
    return LedgerEntryPublic.of(entry)


def _may_top_up(caller: Principal, body: TopUp) -> None:
    if body.payment is None and caller.scope is not None:
        raise ApiError(403, "forbidden", "a driver tops up through a payment provider (give payment)")
    if body.payment is not None and body.idempotency_key is None:
        raise ApiError(422, "validation_error", "body.idempotency_key: required with payment")


@router.post("/wallets/{driver_id}/payouts", summary="Pay balance back to the driver", status_code=201,
             response_model=LedgerEntryPublic, responses=error_responses(402, 409, 422, 502))  # fmt: skip
async def payout(
    driver_id: str, body: Payout, _caller: StaffKey, services: ServicesDep, response: Response
) -> LedgerEntryPublic:
    """Refund (part of) an earlier provider payment to its card; never more than the balance."""
    driver = await driver_or_404(services, driver_id)
    try:
        entry, created = await services.billing.wallets.payout(
            driver.id, body.amount, provider=body.provider, payment_id=body.payment_id,
            idempotency_key=body.idempotency_key,
        )  # fmt: skip
    except (WalletError, PaymentError) as error:
        raise wallet_error(error) from None
    _created(response, created)
    return LedgerEntryPublic.of(entry)


@router.post("/wallets/{driver_id}/adjustments", summary="Correct a wallet", status_code=201,
             response_model=LedgerEntryPublic, responses=error_responses(422))  # fmt: skip
async def adjust(driver_id: str, body: Adjustment, _caller: StaffKey, services: ServicesDep) -> LedgerEntryPublic:
    """A positive or negative correction with a note (goodwill, a mistake undone)."""
    driver = await driver_or_404(services, driver_id)
    try:
        entry: LedgerEntry = await services.billing.wallets.adjust(driver.id, body.amount, note=body.note)
    except WalletError as error:
        raise wallet_error(error) from None
    return LedgerEntryPublic.of(entry)

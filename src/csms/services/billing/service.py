"""The billing block as one object on ``Services``: tariffs, wallets, orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from csms.services.billing.hooks import BillingObserver
from csms.services.billing.orders import OrderService, RemoteStop
from csms.services.billing.payments import PaymentProvider
from csms.services.billing.tariffs import TariffService
from csms.services.billing.wallets import WalletService
from csms.services.clock import Clock
from csms.services.events import EventBus
from csms.storage import Stores


@dataclass(frozen=True, slots=True)
class BillingService:
    tariffs: TariffService
    wallets: WalletService
    orders: OrderService
    reconcile_every: float = 60.0

    @classmethod
    def over(
        cls,
        stores: Stores,
        clock: Clock,
        *,
        events: EventBus | None = None,
        default_currency: str = "EUR",
        minimum_balance: Decimal = Decimal(0),
        persist_every: float = 30.0,
        reconcile_every: float = 60.0,
        providers: Sequence[PaymentProvider] = (),
    ) -> BillingService:
        """The billing services over ``stores`` (the composition root passes settings)."""
        tariffs = TariffService(stores.tariffs, stores.tariff_assignments, clock)
        wallets = WalletService(
            stores.drivers, stores.ledger, stores.id_tags, clock,
            minimum_balance=minimum_balance,
            providers={provider.name: provider for provider in providers},
        )  # fmt: skip
        orders = OrderService(
            stores.orders, stores.transactions, stores.meter_values, stores.statuses,
            tariffs, wallets, clock,
            events=events, default_currency=default_currency, persist_every=persist_every,
        )  # fmt: skip
        return cls(tariffs, wallets, orders, reconcile_every)

    async def can_start(self, id_tag: str) -> tuple[bool, str | None]:
        """Whether ``id_tag``'s wallet allows a new session, and the reason if not (for
        remote start through the API; Authorize and StartTransaction get the same answer
        from the authorization service, as ``Blocked``)."""
        return await self.wallets.can_start(id_tag)

    def observer(self) -> BillingObserver:
        """The transaction observer that keeps orders in step with transactions."""
        return BillingObserver(self.orders)

    def bind_remote_stop(self, remote_stop: RemoteStop) -> None:
        """How to send RemoteStopTransaction when a session reaches its pre-payment limit."""
        self.orders.bind_remote_stop(remote_stop)

    async def run(self) -> None:
        """Background work (remote stops at the pre-payment limit, reconciliation)."""
        await self.orders.run(self.reconcile_every)

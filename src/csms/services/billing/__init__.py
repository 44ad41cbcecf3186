"""Billing: tariffs, the pricing engine, orders, driver wallets and payments (issue 5;
docs/billing.md explains the rules).

* ``pricing`` (pure): a tariff version and a session's ``usage`` in, a priced breakdown out;
  ``timeofuse`` cuts time where the time-of-use period changes.
* ``tariffs``: versions, assignments and which tariff applies to a session.
* ``wallets``: drivers, their ledger, top-ups (operator or payment provider), refunds, and
  whether a tag's wallet allows charging; ``payments``: the provider port and a test one.
* ``orders``: the order of each transaction, running cost, pricing at stop, the debit,
  the pre-payment limit; ``hooks``: how orders follow the transaction service.
"""

from csms.services.billing.hooks import BillingObserver, TransactionObservers
from csms.services.billing.orders import OrderNotFound, OrderService, OrderStateError, RemoteStop
from csms.services.billing.payments import (
    Payment,
    PaymentError,
    PaymentProvider,
    PaymentStatus,
    TestPaymentProvider,
)
from csms.services.billing.service import BillingService
from csms.services.billing.tariffs import TariffNotFound, TariffService, TariffView
from csms.services.billing.wallets import (
    DriverNotFound,
    InsufficientBalance,
    PaymentDeclined,
    Wallet,
    WalletError,
    WalletService,
)

__all__ = [
    "BillingObserver",
    "BillingService",
    "DriverNotFound",
    "InsufficientBalance",
    "OrderNotFound",
    "OrderService",
    "OrderStateError",
    "Payment",
    "PaymentDeclined",
    "PaymentError",
    "PaymentProvider",
    "PaymentStatus",
    "RemoteStop",
    "TariffNotFound",
    "TariffService",
    "TariffView",
    "TestPaymentProvider",
    "TransactionObservers",
    "Wallet",
    "WalletError",
    "WalletService",
]

"""Billing: tariffs, the pricing engine, orders, driver wallets and payments (issue 5).

* ``pricing`` (pure): a tariff version and a session's ``usage`` in, a priced breakdown out;
  ``timeofuse`` cuts time where the time-of-use period changes.
"""

"""Words that reach the pages as data (statuses, roles, reasons) rather than as literal
text in a template: marked here so that the message extraction (and the test that every
message has a Chinese translation) sees them. Templates translate them with ``_(value)``."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it here."""
    return message


ROLES = (N_("admin"), N_("operator"), N_("driver"))

CONNECTOR_STATUSES = (
    N_("Available"),
    N_("Preparing"),
    N_("Charging"),
    N_("SuspendedEVSE"),
    N_("SuspendedEV"),
    N_("Finishing"),
    N_("Reserved"),
    N_("Unavailable"),
    N_("Faulted"),
    N_("Occupied"),
)

STATES = (
    N_("Active"),
    N_("Stopped"),
    N_("online"),
    N_("offline"),
    N_("Accepted"),
    N_("Pending"),
    N_("Rejected"),
    N_("Blocked"),
    N_("Expired"),
    N_("Invalid"),
    N_("ConcurrentTx"),
    N_("Used"),
    N_("Cancelled"),
)

DISPLAY = {
    "top_up": N_("Top-up"),
    "charge": N_("Charging (order)"),
    "refund": N_("Refund"),
    "payout": N_("Pay-out"),
    "adjustment": N_("Correction"),
    "open": N_("Open"),
    "priced": N_("Priced"),
    "paid": N_("Paid"),
    "refunded": N_("Refunded"),
    "id_tag": N_("Id tag"),
    "driver": N_("Driver"),
    "driver_group": N_("Driver group"),
    "station": N_("Station"),
    "station_group": N_("Station group"),
    "default": N_("Default (everything else)"),
}


def display(value: str) -> str:
    """The message id that shows a machine value (a ledger kind, an order state...)."""
    return DISPLAY.get(value, value)

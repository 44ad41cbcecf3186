"""Records of billing: money, tariffs (immutable versions), assignments, drivers, their
wallet ledger and orders.

Money is ``Decimal`` everywhere. Amounts that a person pays or receives (order net, tax
and total, ledger entries, running cost) are rounded to the currency's minor unit with
:func:`round_money` (ISO 4217 exponent, ``ROUND_HALF_UP``; docs/adr/0004). Unit prices
and order lines keep full precision. All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units of the currencies csms knows; any other currency has 2.
MINOR_UNITS: dict[str, int] = {
    "EUR": 2, "USD": 2, "GBP": 2, "CNY": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2,
    "PLN": 2, "CZK": 2, "HUF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "INR": 2, "SGD": 2,
    "HKD": 2, "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}  # fmt: skip
DEFAULT_MINOR_UNIT = 2
ROUNDING = ROUND_HALF_UP
_CURRENCY = re.compile(r"[A-Z]{3}")
ZERO = Decimal(0)


def checked_currency(currency: str) -> str:
    """``currency`` if it is a three-letter upper-case code, else ValueError."""
    if not _CURRENCY.fullmatch(currency):
        raise ValueError(f"currency {currency!r} is not an ISO 4217 code like EUR")
    return currency


def minor_unit(currency: str) -> int:
    """Digits after the decimal point of ``currency`` (ISO 4217 exponent)."""
    return MINOR_UNITS.get(currency, DEFAULT_MINOR_UNIT)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half up to the minor unit of ``currency`` (1.005 EUR -> 1.01)."""
    return amount.quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUNDING)


def to_minor(amount: Decimal, currency: str) -> int:
    """A rounded amount as an integer count of minor units; ValueError if not rounded."""
    units = amount.scaleb(minor_unit(currency))
    if units != units.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of minor units")
    return int(units)


def from_minor(units: int, currency: str) -> Decimal:
    """The amount of ``units`` minor units, with the currency's number of decimals."""
    return round_money(Decimal(units).scaleb(-minor_unit(currency)), currency)


# --- tariffs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeOfUsePeriod:
    """Prices that replace the base prices on ``days`` (ISO weekdays, 1 = Monday) from
    ``start`` to ``end`` local time. ``end`` is exclusive; ``time(0)`` means midnight at
    the end of the day. A period never crosses midnight: 22:00-06:00 is two periods.
    A price left None keeps the base price."""

    name: str
    days: frozenset[int]
    start: time
    end: time
    energy_per_kwh: Decimal | None = None
    charging_per_minute: Decimal | None = None
    idle_per_minute: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(1, 8)):
            raise ValueError(f"period {self.name!r}: days must be ISO weekdays 1..7")
        if self.end != time(0) and self.end <= self.start:
            raise ValueError(f"period {self.name!r}: end must be after start (same day)")

    def covers(self, local: datetime) -> bool:
        """Whether the local wall time ``local`` falls in this period."""
        if local.isoweekday() not in self.days:
            return False
        moment = local.time().replace(tzinfo=None, fold=0)
        return self.start <= moment and (self.end == time(0) or moment < self.end)


@dataclass(frozen=True, slots=True)
class TariffSpec:
    """What a tariff charges. Prices exclude tax (as OCPI tariffs do); ``tax_rate`` is a
    fraction (0.19 for 19 %). ``min_price``/``max_price`` bound the net price of a
    session. ``idle_grace`` is free idle time after charging ends. The first
    time-of-use period that covers a moment (in ``time_zone``) sets its prices."""

    currency: str
    energy_per_kwh: Decimal = ZERO
    charging_per_minute: Decimal = ZERO
    idle_per_minute: Decimal = ZERO
    idle_grace: timedelta = timedelta(0)
    session_fee: Decimal = ZERO
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    tax_rate: Decimal = ZERO
    time_zone: str = "UTC"
    periods: tuple[TimeOfUsePeriod, ...] = ()

    def __post_init__(self) -> None:
        checked_currency(self.currency)
        prices = [self.energy_per_kwh, self.charging_per_minute, self.idle_per_minute]
        prices += [self.session_fee, self.tax_rate]
        if any(price < 0 for price in prices) or self.idle_grace < timedelta(0):
            raise ValueError("prices, tax rate and grace period cannot be negative")
        low, high = self.min_price, self.max_price
        if low is not None and high is not None and low > high:
            raise ValueError("min_price is above max_price")


@dataclass(frozen=True, slots=True)
class Tariff:
    """A named tariff; what it charges lives in its versions (never edited in place)."""

    id: int
    name: str
    created_at: datetime
    archived: bool = False


@dataclass(frozen=True, slots=True)
class TariffVersion:
    """One immutable version of a tariff. ``id`` is unique across tariffs (an order keeps
    it); ``version`` counts from 1 within the tariff."""

    id: int
    tariff_id: int
    version: int
    spec: TariffSpec
    created_at: datetime


class AssignmentScope(enum.StrEnum):
    """Who a tariff is assigned to, in the order csms looks (the first found wins)."""

    ID_TAG = "id_tag"
    DRIVER = "driver"
    DRIVER_GROUP = "driver_group"
    STATION = "station"
    STATION_GROUP = "station_group"
    DEFAULT = "default"  # key ""


RESOLUTION_ORDER = tuple(AssignmentScope)


@dataclass(frozen=True, slots=True)
class TariffAssignment:
    scope: AssignmentScope
    key: str
    tariff_id: int
    updated_at: datetime


# --- drivers and wallets -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Driver:
    """A driver account. ``id`` is the owner of their id tags (``IdTag.owner``) and of
    their driver API keys. The wallet is kept in ``currency``; ``session_limit`` is the
    default pre-payment limit of each session (None: no limit)."""

    id: str
    currency: str
    created_at: datetime
    name: str = ""
    email: str | None = None
    group: str | None = None
    session_limit: Decimal | None = None


class EntryKind(enum.StrEnum):
    TOP_UP = "top_up"  # + money paid in (operator or payment provider)
    CHARGE = "charge"  # - an order's total
    REFUND = "refund"  # + an order's total given back
    PAYOUT = "payout"  # - balance paid back to the driver
    ADJUSTMENT = "adjustment"  # +/- by an operator


@dataclass(frozen=True, slots=True)
class NewLedgerEntry:
    """A movement to append. ``idempotency_key`` (unique) makes a repeated append return
    the first entry instead of moving money twice (``order:42:charge``)."""

    driver_id: str
    kind: EntryKind
    amount: Decimal  # signed, rounded to the currency's minor unit
    currency: str
    created_at: datetime
    idempotency_key: str | None = None
    order_id: int | None = None
    reference: str | None = None  # e.g. the payment provider's payment id
    note: str = ""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """An immutable ledger entry; a wallet's balance is the sum of its entries."""

    id: int
    driver_id: str
    kind: EntryKind
    amount: Decimal
    currency: str
    created_at: datetime
    idempotency_key: str | None = None
    order_id: int | None = None
    reference: str | None = None
    note: str = ""


# --- orders ----------------------------------------------------------------------------------


class OrderState(enum.StrEnum):
    OPEN = "open"  # the transaction runs; running_cost is an estimate
    PRICED = "priced"  # the transaction stopped; net/tax/total are final
    PAID = "paid"  # the total was debited from the driver's wallet
    REFUNDED = "refunded"  # the total was credited back


class Component(enum.StrEnum):
    ENERGY = "energy"
    CHARGING_TIME = "charging_time"
    IDLE_TIME = "idle_time"
    SESSION_FEE = "session_fee"
    MINIMUM = "minimum_price"  # brings the net price up to the minimum
    MAXIMUM = "maximum_price"  # brings it down to the maximum (negative)


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One priced component, in one time-of-use period (None: the base prices).
    ``amount`` = ``quantity`` x ``unit_price`` at full precision (not rounded)."""

    component: Component
    period: str | None
    quantity: Decimal  # kWh, minutes, or 1
    unit: str  # "kWh" | "min" | "session"
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Order:
    """What a transaction costs. Money is in ``currency``; net, tax and total are
    rounded and set once priced (net + tax == total)."""

    id: int
    transaction_id: int
    station_id: str
    connector_id: int
    id_tag: str | None
    driver_id: str | None
    tariff_version_id: int | None
    currency: str
    started_at: datetime
    created_at: datetime
    state: OrderState = OrderState.OPEN
    max_amount: Decimal | None = None
    running_cost: Decimal = ZERO
    stopped_at: datetime | None = None
    energy_wh: Decimal = ZERO
    charging: timedelta = timedelta(0)
    idle: timedelta = timedelta(0)
    lines: tuple[OrderLine, ...] = field(default=())
    net: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal | None = None
    priced_at: datetime | None = None
    paid_at: datetime | None = None
    refunded_at: datetime | None = None
    stop_requested: bool = False

    @property
    def energy_kwh(self) -> Decimal:
        return self.energy_wh / 1000


@dataclass(frozen=True, slots=True)
class Priced:
    """What the pricing engine found for a session (final at stop, an estimate before)."""

    currency: str
    energy_wh: Decimal
    charging: timedelta
    idle: timedelta
    lines: tuple[OrderLine, ...]
    net: Decimal
    tax: Decimal
    total: Decimal

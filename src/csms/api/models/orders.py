"""Order resources: what a session costs, its breakdown, the chart of its meter values, and
the CSV rows for accounting. Money is a decimal string in the order's currency."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field

from csms.domain import MeterSample
from csms.domain.billing import Component, Order, OrderLine, OrderState

_MINUTE = Decimal(60_000_000)


def _minutes(duration: timedelta) -> Decimal:
    return (Decimal(duration // timedelta(microseconds=1)) / _MINUTE).quantize(Decimal("0.001"))


class OrderLinePublic(BaseModel):
    component: Component
    period: str | None = Field(description="the time-of-use period; null: the base prices")
    quantity: Decimal = Field(description="kWh, minutes, or 1")
    unit: str = Field(examples=["kWh"])
    unit_price: Decimal
    amount: Decimal = Field(description="quantity x unit_price, not rounded")

    @classmethod
    def of(cls, line: OrderLine) -> OrderLinePublic:
        return cls(component=line.component, period=line.period, quantity=line.quantity,
                   unit=line.unit, unit_price=line.unit_price, amount=line.amount)  # fmt: skip


class OrderPublic(BaseModel):
    """An order. While `open`, `running_cost` is what the session would cost if it stopped
    at its newest meter value; once `priced`, net + tax = total."""

    id: int
    transaction_id: int
    station_id: str
    connector_id: int
    id_tag: str | None
    driver_id: str | None
    tariff_version_id: int | None = Field(description="null: no tariff applied (free)")
    currency: str
    state: OrderState
    started_at: datetime
    stopped_at: datetime | None
    energy_kwh: Decimal
    charging_minutes: Decimal
    idle_minutes: Decimal
    running_cost: Decimal
    max_amount: Decimal | None = Field(description="pre-payment limit: csms stops the session there")
    net: Decimal | None
    tax: Decimal | None
    total: Decimal | None
    lines: list[OrderLinePublic]
    priced_at: datetime | None
    paid_at: datetime | None
    refunded_at: datetime | None

    @classmethod
    def of(cls, order: Order) -> OrderPublic:
        return cls(
            id=order.id, transaction_id=order.transaction_id, station_id=order.station_id,
            connector_id=order.connector_id, id_tag=order.id_tag, driver_id=order.driver_id,
            tariff_version_id=order.tariff_version_id, currency=order.currency, state=order.state,
            started_at=order.started_at, stopped_at=order.stopped_at, energy_kwh=order.energy_kwh,
            charging_minutes=_minutes(order.charging), idle_minutes=_minutes(order.idle),
            running_cost=order.running_cost, max_amount=order.max_amount, net=order.net,
            tax=order.tax, total=order.total, lines=[OrderLinePublic.of(x) for x in order.lines],
            priced_at=order.priced_at, paid_at=order.paid_at, refunded_at=order.refunded_at,
        )  # fmt: skip


class ChartPoint(BaseModel):
    timestamp: datetime
    value: Decimal


class OrderChart(BaseModel):
    """The session's meter values as series for a chart."""

    energy_kwh: list[ChartPoint] = Field(description="energy delivered so far (register - meterStart)")
    power_kw: list[ChartPoint] = Field(description="Power.Active.Import")


class OrderDetail(OrderPublic):
    chart: OrderChart

    @classmethod
    def with_chart(cls, order: Order, samples: Sequence[MeterSample], meter_start: int | None) -> OrderDetail:
        return cls(**OrderPublic.of(order).model_dump(), chart=chart(samples, meter_start))


def _number(sample: MeterSample) -> Decimal | None:
    try:
        value = Decimal(sample.value)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def chart(samples: Sequence[MeterSample], meter_start: int | None) -> OrderChart:
    energy, power = [], []
    for sample in samples:
        value = _number(sample)
        if value is None or sample.phase is not None:
            continue
        kilo = sample.unit in ("kWh", "kW")
        if sample.measurand == "Energy.Active.Import.Register":
            wh = value * 1000 if kilo else value
            energy.append(ChartPoint(timestamp=sample.timestamp, value=(wh - (meter_start or 0)) / 1000))
        elif sample.measurand == "Power.Active.Import":
            power.append(ChartPoint(timestamp=sample.timestamp, value=value if kilo else value / 1000))
    return OrderChart(energy_kwh=energy, power_kw=power)


class LimitPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_amount: Decimal | None = Field(gt=0, description="null: no limit")


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=500)


CSV_COLUMNS = (
    "order_id", "transaction_id", "station_id", "connector_id", "id_tag", "driver_id", "state",
    "started_at", "stopped_at", "energy_kwh", "charging_minutes", "idle_minutes", "currency",
    "net", "tax", "total", "tariff_version_id", "paid_at", "refunded_at",
)  # fmt: skip


def csv_row(order: Order) -> tuple[object, ...]:
    def iso(moment: datetime | None) -> str:
        return moment.isoformat() if moment else ""

    def text(value: object) -> object:
        return "" if value is None else value

    return (
        order.id, order.transaction_id, order.station_id, order.connector_id, text(order.id_tag),
        text(order.driver_id), order.state.value, iso(order.started_at), iso(order.stopped_at),
        order.energy_kwh, _minutes(order.charging), _minutes(order.idle), order.currency,
        text(order.net), text(order.tax), text(order.total), text(order.tariff_version_id),
        iso(order.paid_at), iso(order.refunded_at),
    )  # fmt: skip

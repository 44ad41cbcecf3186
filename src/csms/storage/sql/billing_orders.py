"""The SQL order store.

One order per transaction: ``open`` is INSERT ... ON CONFLICT (transaction_id) DO NOTHING.
State changes are conditional UPDATEs (``WHERE state = :old``) with RETURNING, so of two
racing StopTransactions exactly one prices the order and exactly one marks it paid.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, false, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.domain.billing import ZERO, Order, OrderState, Priced, from_minor, to_minor
from csms.storage.billing import NewOrder, OrderFilter
from csms.storage.memory_billing import transition_fields
from csms.storage.sql._common import upsert_insert, write_transaction
from csms.storage.sql.billing_codec import duration, lines_from_json, lines_to_json, microseconds
from csms.storage.sql.billing_tables import orders

_o = orders.c
_MONEY = {"max_amount", "running_cost", "net", "tax", "total"}


def _minor(amount: Decimal | None, currency: str) -> int | None:
    return None if amount is None else to_minor(amount, currency)


def _order(row: Row[Any]) -> Order:
    m = dict(row._mapping)
    currency = m["currency"]
    for name in _MONEY:
        units = m.pop(f"{name}_minor")
        m[name] = None if units is None else from_minor(units, currency)
    m["state"] = OrderState(m["state"])
    m["energy_wh"] = Decimal(m["energy_wh"])
    m["charging"] = duration(m.pop("charging_us"))
    m["idle"] = duration(m.pop("idle_us"))
    m["lines"] = lines_from_json(m["lines"])
    return Order(**m)


class SqlOrderStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def open(self, new: NewOrder) -> tuple[Order, bool]:
        values = {
            "transaction_id": new.transaction_id,
            "station_id": new.station_id,
            "connector_id": new.connector_id,
            "id_tag": new.id_tag,
            "driver_id": new.driver_id,
            "tariff_version_id": new.tariff_version_id,
            "currency": new.currency,
            "started_at": new.started_at,
            "created_at": new.created_at,
            "state": OrderState.OPEN.value,
            "max_amount_minor": _minor(new.max_amount, new.currency),
            "running_cost_minor": 0,
            "energy_wh": str(ZERO),
            "charging_us": 0,
            "idle_us": 0,
            "lines": "[]",
            "stop_requested": False,
        }
        stmt = (
            upsert_insert(self._engine, orders)
            .values(values)
            .on_conflict_do_nothing(index_elements=[_o.transaction_id])
            .returning(*orders.c)
        )
        async with write_transaction(self._engine) as conn:
            existing = (
                await conn.execute(select(orders).where(_o.transaction_id == new.transaction_id))
            ).first()
            if existing is None:
                inserted = (await conn.execute(stmt)).first()
                if inserted is not None:
                    return _order(inserted), True
                existing = (
                    await conn.execute(
                        select(orders).where(_o.transaction_id == new.transaction_id)
                    )
                ).one()
        return _order(existing), False

    async def get(self, order_id: int) -> Order | None:
        return await self._first(_o.id == order_id)

    async def by_transaction(self, transaction_id: int) -> Order | None:
        return await self._first(_o.transaction_id == transaction_id)

    async def set_running(self, order_id: int, running_cost: Decimal, energy_wh: Decimal) -> None:
        order = await self.get(order_id)
        if order is None:
            return
        stmt = (
            update(orders)
            .where(_o.id == order_id, _o.state == OrderState.OPEN.value)
            .values(
                running_cost_minor=to_minor(running_cost, order.currency),
                energy_wh=str(energy_wh),
            )
        )
        async with write_transaction(self._engine) as conn:
            await conn.execute(stmt)

    async def set_max_amount(self, order_id: int, max_amount: Decimal | None) -> Order:
        order = await self.get(order_id)
        if order is None:
            raise KeyError(order_id)
        minor = _minor(max_amount, order.currency)
        return await self._update(_o.id == order_id, {"max_amount_minor": minor}, order_id)

    async def price(
        self, order_id: int, priced: Priced, stopped_at: datetime, at: datetime
    ) -> tuple[Order, bool]:
        order = await self.get(order_id)
        if order is None:
            raise KeyError(order_id)
        if priced.currency != order.currency:
            raise ValueError(f"order {order_id} is in {order.currency}, not {priced.currency}")
        currency = order.currency
        values = {
            "state": OrderState.PRICED.value,
            "stopped_at": stopped_at,
            "priced_at": at,
            "energy_wh": str(priced.energy_wh),
            "charging_us": microseconds(priced.charging),
            "idle_us": microseconds(priced.idle),
            "lines": lines_to_json(priced.lines),
            "net_minor": to_minor(priced.net, currency),
            "tax_minor": to_minor(priced.tax, currency),
            "total_minor": to_minor(priced.total, currency),
            "running_cost_minor": to_minor(priced.total, currency),
        }
        return await self._conditional(order_id, OrderState.OPEN, values)

    async def transition(
        self, order_id: int, old: OrderState, new: OrderState, at: datetime
    ) -> tuple[Order, bool]:
        values = {
            name: value.value if isinstance(value, OrderState) else value
            for name, value in transition_fields(OrderState(new), at).items()
        }
        return await self._conditional(order_id, OrderState(old), values)

    async def mark_stop_requested(self, order_id: int) -> bool:
        stmt = (
            update(orders)
            .where(_o.id == order_id, _o.stop_requested == false())
            .values(stop_requested=True)
        )
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(stmt)
        return result.rowcount > 0

    async def search(self, flt: OrderFilter) -> list[Order]:
        stmt = select(orders)
        if flt.driver_id is not None:
            stmt = stmt.where(_o.driver_id == flt.driver_id)
        if flt.station_id is not None:
            stmt = stmt.where(_o.station_id == flt.station_id)
        if flt.state is not None:
            stmt = stmt.where(_o.state == OrderState(flt.state).value)
        if flt.started_after is not None:
            stmt = stmt.where(_o.started_at >= flt.started_after)
        if flt.started_before is not None:
            stmt = stmt.where(_o.started_at < flt.started_before)
        stmt = stmt.order_by(_o.id.desc()).limit(flt.limit).offset(flt.offset)
        async with self._engine.connect() as conn:
            return [_order(row) for row in await conn.execute(stmt)]

    async def _conditional(
        self, order_id: int, old: OrderState, values: dict[str, Any]
    ) -> tuple[Order, bool]:
        stmt = (
            update(orders)
            .where(_o.id == order_id, _o.state == old.value)
            .values(values)
            .returning(*orders.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
            if row is not None:
                return _order(row), True
            row = (await conn.execute(select(orders).where(_o.id == order_id))).first()
        if row is None:
            raise KeyError(order_id)
        return _order(row), False

    async def _update(
        self, where: ColumnElement[bool], values: dict[str, Any], order_id: int
    ) -> Order:
        stmt = update(orders).where(where).values(values).returning(*orders.c)
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise KeyError(order_id)
        return _order(row)

    async def _first(self, where: ColumnElement[bool]) -> Order | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(orders).where(where))).first()
        return None if row is None else _order(row)

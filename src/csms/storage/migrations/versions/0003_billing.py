"""Billing: tariffs and their immutable versions, tariff assignments, station groups,
drivers, the wallet ledger and orders.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Self-contained on purpose (no import of csms.storage.sql), like the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _big_id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tariffs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "tariff_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tariff_id", sa.Integer(), sa.ForeignKey("tariffs.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.UniqueConstraint("tariff_id", "version", name="uq_tariff_versions_version"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "tariff_assignments",
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("tariff_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_table(
        "station_group_members",
        sa.Column("group_name", sa.Text(), primary_key=True),
        sa.Column("station_id", sa.Text(), primary_key=True),
    )
    op.create_index(
        "ix_station_group_members_station", "station_group_members", ["station_id"]
    )
    op.create_table(
        "drivers",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text()),
        sa.Column("group_name", sa.Text()),
        sa.Column("session_limit_minor", sa.BigInteger()),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", _big_id(), primary_key=True, autoincrement=True),
        sa.Column("driver_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("idempotency_key", sa.Text()),
        sa.Column("order_id", sa.Integer()),
        sa.Column("reference", sa.Text()),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_ledger_entries_idempotency_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_ledger_entries_driver", "ledger_entries", ["driver_id", "id"])
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.Text()),
        sa.Column("driver_id", sa.Text()),
        sa.Column("tariff_version_id", sa.Integer()),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("max_amount_minor", sa.BigInteger()),
        sa.Column("running_cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("stopped_at", _utc()),
        sa.Column("energy_wh", sa.Text(), nullable=False),
        sa.Column("charging_us", sa.BigInteger(), nullable=False),
        sa.Column("idle_us", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("net_minor", sa.BigInteger()),
        sa.Column("tax_minor", sa.BigInteger()),
        sa.Column("total_minor", sa.BigInteger()),
        sa.Column("priced_at", _utc()),
        sa.Column("paid_at", _utc()),
        sa.Column("refunded_at", _utc()),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("transaction_id", name="uq_orders_transaction_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_orders_driver", "orders", ["driver_id", "id"])
    op.create_index("ix_orders_station", "orders", ["station_id", "id"])
    op.create_index("ix_orders_state", "orders", ["state"])


def downgrade() -> None:
    for table in (
        "orders",
        "ledger_entries",
        "drivers",
        "station_group_members",
        "tariff_assignments",
        "tariff_versions",
        "tariffs",
    ):
        op.drop_table(table)  # drops the table's indexes with it

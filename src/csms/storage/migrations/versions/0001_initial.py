"""Initial schema: stations, id tags, transactions, meter values, statuses, message log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Self-contained on purpose (no import of csms.storage.sql.tables): a migration must build
the schema as it was at this revision, whatever the code looks like later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _big_id() -> sa.Column[int]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def _status_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_code", sa.Text(), nullable=False),
        sa.Column("timestamp", _utc()),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("info", sa.Text()),
        sa.Column("vendor_id", sa.Text()),
        sa.Column("vendor_error_code", sa.Text()),
    ]


def upgrade() -> None:
    op.create_table(
        "stations",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("registration_status", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text()),
        sa.Column("lenient", sa.Boolean(), nullable=False),
        sa.Column("ocpp_version", sa.String(16)),
        sa.Column("vendor", sa.Text()),
        sa.Column("model", sa.Text()),
        sa.Column("serial_number", sa.Text()),
        sa.Column("charge_box_serial_number", sa.Text()),
        sa.Column("firmware_version", sa.Text()),
        sa.Column("iccid", sa.Text()),
        sa.Column("imsi", sa.Text()),
        sa.Column("meter_type", sa.Text()),
        sa.Column("meter_serial_number", sa.Text()),
        sa.Column("firmware_status", sa.Text()),
        sa.Column("diagnostics_status", sa.Text()),
        sa.Column("last_boot_at", _utc()),
        sa.Column("last_seen_at", _utc()),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_table(
        "id_tags",
        sa.Column("id_tag", sa.Text(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expiry_date", _utc()),
        sa.Column("parent_id_tag", sa.Text()),
    )
    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.Text()),
        sa.Column("meter_start", sa.BigInteger(), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("station_tx_id", sa.Text()),
        sa.Column("reservation_id", sa.Integer()),
        sa.Column("meter_stop", sa.BigInteger()),
        sa.Column("stopped_at", _utc()),
        sa.Column("stop_reason", sa.Text()),
        sa.Column("stop_id_tag", sa.Text()),
        sa.Column("stop_received_at", _utc()),
        sa.Column("station_stop_unknown", sa.Boolean(), nullable=False),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        sa.UniqueConstraint("station_id", "dedupe_key", name="uq_transactions_dedupe"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_transactions_connector",
        "transactions",
        ["station_id", "evse_id", "connector_id", "state"],
    )
    op.create_index(
        "ix_transactions_station_tx_id", "transactions", ["station_id", "station_tx_id"]
    )
    op.create_index("ix_transactions_id_tag", "transactions", ["id_tag"])
    op.create_index("ix_transactions_started_at", "transactions", ["started_at"])
    op.create_table(
        "meter_values",
        _big_id(),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer()),
        sa.Column("timestamp", _utc(), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("measurand", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text()),
        sa.Column("phase", sa.Text()),
        sa.Column("context", sa.Text()),
        sa.Column("location", sa.Text()),
        sa.Column("format", sa.Text()),
    )
    op.create_index("ix_meter_values_transaction", "meter_values", ["transaction_id", "timestamp"])
    op.create_index("ix_meter_values_station", "meter_values", ["station_id", "timestamp"])
    op.create_table(
        "status_events",
        _big_id(),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        *_status_columns(),
    )
    op.create_index("ix_status_events_station", "status_events", ["station_id", "id"])
    op.create_table(
        "status_current",
        sa.Column("station_id", sa.Text(), primary_key=True),
        sa.Column("evse_id", sa.Integer(), primary_key=True),
        sa.Column("connector_id", sa.Integer(), primary_key=True),
        *_status_columns(),
    )
    op.create_table(
        "message_log",
        _big_id(),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("frame", sa.Text(), nullable=False),
        sa.Column("action", sa.Text()),
        sa.Column("message_id", sa.Text()),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_message_log_station", "message_log", ["station_id", "id"])
    op.create_index("ix_message_log_at", "message_log", ["at"])


def downgrade() -> None:
    for table in (
        "message_log",
        "status_current",
        "status_events",
        "meter_values",
        "transactions",
        "id_tags",
        "stations",
    ):
        op.drop_table(table)  # drops the table's indexes with it

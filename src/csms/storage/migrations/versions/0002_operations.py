"""Operations: API keys, reservations, station configuration/availability/certificates,
local authorization lists, and the owner of an id tag.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Self-contained on purpose (no import of csms.storage.sql.tables), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("id_tags", sa.Column("owner", sa.Text()))
    op.create_index("ix_id_tags_owner", "id_tags", ["owner"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("owner", sa.Text()),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("last_used_at", _utc()),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.Text(), nullable=False),
        sa.Column("expiry_date", _utc(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("parent_id_tag", sa.Text()),
        sa.Column("transaction_id", sa.Integer()),
        sa.Column("station_answer", sa.Text()),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reservations_station", "reservations", ["station_id", "id"])
    op.create_index("ix_reservations_due", "reservations", ["status", "expiry_date"])
    op.create_table(
        "station_configuration",
        sa.Column("station_id", sa.Text(), primary_key=True),
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("value", sa.Text()),
        sa.Column("readonly", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_table(
        "connector_availability",
        sa.Column("station_id", sa.Text(), primary_key=True),
        sa.Column("connector_id", sa.Integer(), primary_key=True),
        sa.Column("availability", sa.String(16), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_table(
        "installed_certificates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("certificate_type", sa.Text(), nullable=False),
        sa.Column("hash_algorithm", sa.Text(), nullable=False),
        sa.Column("issuer_name_hash", sa.Text(), nullable=False),
        sa.Column("issuer_key_hash", sa.Text(), nullable=False),
        sa.Column("serial_number", sa.Text(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.UniqueConstraint(
            "station_id", "serial_number", "issuer_key_hash", name="uq_installed_certificates"
        ),
    )
    op.create_table(
        "local_lists",
        sa.Column("station_id", sa.Text(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_table(
        "local_list_entries",
        sa.Column("station_id", sa.Text(), primary_key=True),
        sa.Column("id_tag", sa.Text(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expiry_date", _utc()),
        sa.Column("parent_id_tag", sa.Text()),
    )


def downgrade() -> None:
    for table in (
        "local_list_entries",
        "local_lists",
        "installed_certificates",
        "connector_availability",
        "station_configuration",
        "reservations",
        "api_keys",
    ):
        op.drop_table(table)  # drops the table's indexes with it
    op.drop_index("ix_id_tags_owner", table_name="id_tags")
    with op.batch_alter_table("id_tags") as batch:
        batch.drop_column("owner")

"""The billing tables, on the same ``metadata`` as ``csms.storage.sql.tables`` (migration
0003 builds them; the schema test compares). Importing ``csms.storage.sql`` registers them.

Money is stored exactly: amounts that are whole minor units (ledger entries, order net,
tax, total, running cost, limits) as BIGINT counts of minor units (``*_minor``); unit
prices, order lines and energy as decimal strings inside JSON/TEXT. Never a float.
The ledger's ``idempotency_key`` and the orders' ``transaction_id`` are UNIQUE: that is
what makes a debit happen once and an order exist once per transaction.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from csms.storage.sql.tables import BigId, Name, UtcDateTime, metadata

tariffs = Table(
    "tariffs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Name, nullable=False),
    Column("archived", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

# ``spec`` is the TariffSpec as JSON (csms.storage.sql.billing_codec); never updated.
tariff_versions = Table(
    "tariff_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tariff_id", Integer, ForeignKey("tariffs.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("spec", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("tariff_id", "version", name="uq_tariff_versions_version"),
    sqlite_autoincrement=True,
)

tariff_assignments = Table(
    "tariff_assignments",
    metadata,
    Column("scope", String(16), primary_key=True),
    Column("key", Name, primary_key=True),
    Column("tariff_id", Integer, nullable=False),  # checked by the service, like the memory store
    Column("updated_at", UtcDateTime, nullable=False),
)

station_group_members = Table(
    "station_group_members",
    metadata,
    Column("group_name", Name, primary_key=True),
    Column("station_id", Name, primary_key=True),
    Index("ix_station_group_members_station", "station_id"),
)

drivers = Table(
    "drivers",
    metadata,
    Column("id", Name, primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("name", Name, nullable=False),
    Column("email", Name),
    Column("group_name", Name),
    Column("session_limit_minor", BigInteger),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("driver_id", Name, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("idempotency_key", Name),
    Column("order_id", Integer),
    Column("reference", Name),
    Column("note", Text, nullable=False),
    UniqueConstraint("idempotency_key", name="uq_ledger_entries_idempotency_key"),
    Index("ix_ledger_entries_driver", "driver_id", "id"),
    sqlite_autoincrement=True,
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transaction_id", Integer, nullable=False),
    Column("station_id", Name, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("id_tag", Name),
    Column("driver_id", Name),
    Column("tariff_version_id", Integer),
    Column("currency", String(3), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("max_amount_minor", BigInteger),
    Column("running_cost_minor", BigInteger, nullable=False),
    Column("stopped_at", UtcDateTime),
    Column("energy_wh", Text, nullable=False),  # decimal string
    Column("charging_us", BigInteger, nullable=False),
    Column("idle_us", BigInteger, nullable=False),
    Column("lines", Text, nullable=False),  # JSON list (billing_codec)
    Column("net_minor", BigInteger),
    Column("tax_minor", BigInteger),
    Column("total_minor", BigInteger),
    Column("priced_at", UtcDateTime),
    Column("paid_at", UtcDateTime),
    Column("refunded_at", UtcDateTime),
    Column("stop_requested", Boolean, nullable=False),
    UniqueConstraint("transaction_id", name="uq_orders_transaction_id"),
    Index("ix_orders_driver", "driver_id", "id"),
    Index("ix_orders_station", "station_id", "id"),
    Index("ix_orders_state", "state"),
    sqlite_autoincrement=True,
)

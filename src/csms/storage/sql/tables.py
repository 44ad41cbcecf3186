"""SQLAlchemy Core tables of the SQL backend; the migrations in ``csms.storage.migrations`` build
exactly this schema (a test compares them).

Datetimes are stored in UTC (``UtcDateTime``): PostgreSQL keeps ``timestamptz``; SQLite keeps no
zone, so values are written as UTC wall time and read back as timezone-aware UTC.

There are no foreign keys to ``stations``: history (transactions, samples, statuses, frames)
outlives a deleted station, and samples may name a transaction csms never saw. Row ids that
callers see (transactions, message log) never get reused (``sqlite_autoincrement``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: csms stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Row ids of the high-volume tables: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# Free-form text from stations: unbounded, so a long value never fails a whole batch on
# PostgreSQL while SQLite (which ignores lengths) accepts it.
Name = Text()

metadata = MetaData()

stations = Table(
    "stations",
    metadata,
    Column("id", Name, primary_key=True),
    Column("registration_status", String(16), nullable=False),
    Column("password_hash", Name),
    Column("lenient", Boolean, nullable=False),
    Column("ocpp_version", String(16)),
    Column("vendor", Name),
    Column("model", Name),
    Column("serial_number", Name),
    Column("charge_box_serial_number", Name),
    Column("firmware_version", Name),
    Column("iccid", Name),
    Column("imsi", Name),
    Column("meter_type", Name),
    Column("meter_serial_number", Name),
    Column("firmware_status", Name),
    Column("diagnostics_status", Name),
    Column("last_boot_at", UtcDateTime),
    Column("last_seen_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
)

id_tags = Table(
    "id_tags",
    metadata,
    Column("id_tag", Name, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("expiry_date", UtcDateTime),
    Column("parent_id_tag", Name),
    Column("owner", Name),
    Index("ix_id_tags_owner", "owner"),
)

transactions = Table(
    "transactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", Name, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("id_tag", Name),
    Column("meter_start", BigInteger, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("station_tx_id", Name),
    Column("reservation_id", Integer),
    Column("meter_stop", BigInteger),
    Column("stopped_at", UtcDateTime),
    Column("stop_reason", Name),
    Column("stop_id_tag", Name),
    Column("stop_received_at", UtcDateTime),
    Column("station_stop_unknown", Boolean, nullable=False),
    # What makes a retransmission the same row (transactions.dedupe_key): the start tuple
    # (connector, id_tag — possibly NULL —, meter_start, started_at) or the unknown stop's
    # station_tx_id. Unique per station so start() and record_unknown_stop() dedupe atomically.
    Column("dedupe_key", Text, nullable=False),
    UniqueConstraint("station_id", "dedupe_key", name="uq_transactions_dedupe"),
    Index("ix_transactions_connector", "station_id", "evse_id", "connector_id", "state"),
    Index("ix_transactions_station_tx_id", "station_id", "station_tx_id"),
    Index("ix_transactions_id_tag", "id_tag"),
    Index("ix_transactions_started_at", "started_at"),
    sqlite_autoincrement=True,
)

meter_values = Table(
    "meter_values",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Name, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("transaction_id", Integer),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("value", Text, nullable=False),
    Column("measurand", Name, nullable=False),
    Column("unit", Name),
    Column("phase", Name),
    Column("context", Name),
    Column("location", Name),
    Column("format", Name),
    Index("ix_meter_values_transaction", "transaction_id", "timestamp"),
    Index("ix_meter_values_station", "station_id", "timestamp"),
)


def _status_columns() -> list[Column[object]]:
    return [
        Column("status", String(16), nullable=False),
        Column("error_code", Name, nullable=False),
        Column("timestamp", UtcDateTime),
        Column("received_at", UtcDateTime, nullable=False),
        Column("info", Text),
        Column("vendor_id", Name),
        Column("vendor_error_code", Name),
    ]


status_events = Table(
    "status_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Name, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    *_status_columns(),
    Index("ix_status_events_station", "station_id", "id"),
)

status_current = Table(
    "status_current",
    metadata,
    Column("station_id", Name, primary_key=True),
    Column("evse_id", Integer, primary_key=True),
    Column("connector_id", Integer, primary_key=True),
    *_status_columns(),
)

message_log = Table(
    "message_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Name, nullable=False),
    Column("direction", String(3), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("frame", Text, nullable=False),
    Column("action", Name),
    Column("message_id", Name),
    Index("ix_message_log_station", "station_id", "id"),
    Index("ix_message_log_at", "at"),
    sqlite_autoincrement=True,
)

# --- operating stations (csms.storage.operations) --------------------------------------------

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Name, nullable=False),
    Column("role", String(16), nullable=False),
    Column("key_hash", Name, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("owner", Name),
    Column("revoked", Boolean, nullable=False),
    Column("last_used_at", UtcDateTime),
    UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    sqlite_autoincrement=True,
)

# The id is the OCPP reservationId sent to the station: never reused.
reservations = Table(
    "reservations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", Name, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("id_tag", Name, nullable=False),
    Column("expiry_date", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("parent_id_tag", Name),
    Column("transaction_id", Integer),
    Column("station_answer", Name),
    Index("ix_reservations_station", "station_id", "id"),
    Index("ix_reservations_due", "status", "expiry_date"),
    sqlite_autoincrement=True,
)

station_configuration = Table(
    "station_configuration",
    metadata,
    Column("station_id", Name, primary_key=True),
    Column("key", Name, primary_key=True),
    Column("value", Text),
    Column("readonly", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

connector_availability = Table(
    "connector_availability",
    metadata,
    Column("station_id", Name, primary_key=True),
    Column("connector_id", Integer, primary_key=True),
    Column("availability", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

installed_certificates = Table(
    "installed_certificates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", Name, nullable=False),
    Column("certificate_type", Name, nullable=False),
    Column("hash_algorithm", Name, nullable=False),
    Column("issuer_name_hash", Name, nullable=False),
    Column("issuer_key_hash", Name, nullable=False),
    Column("serial_number", Name, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint(
        "station_id", "serial_number", "issuer_key_hash", name="uq_installed_certificates"
    ),
)

local_lists = Table(
    "local_lists",
    metadata,
    Column("station_id", Name, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

local_list_entries = Table(
    "local_list_entries",
    metadata,
    Column("station_id", Name, primary_key=True),
    Column("id_tag", Name, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("expiry_date", UtcDateTime),
    Column("parent_id_tag", Name),
)

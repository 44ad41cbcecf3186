"""Alembic migrations of the SQL schema; run them with ``csms.storage.sql.upgrade``."""

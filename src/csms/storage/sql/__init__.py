"""The SQL backend: SQLite (embedded default) or PostgreSQL through SQLAlchemy's async engine.

``upgrade(url)`` migrates the schema, ``create_engine(url)`` opens the database and
``sql_stores(engine)`` gives every store over it. See ``csms.storage.sql.engine``.
"""

from csms.storage.sql.engine import create_engine, sql_stores, upgrade

__all__ = ["create_engine", "sql_stores", "upgrade"]

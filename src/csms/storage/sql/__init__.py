"""The SQL backend: SQLite (embedded default) or PostgreSQL through SQLAlchemy's async engine.

``upgrade(url)`` migrates the schema, ``create_engine(url)`` opens the database and
``sql_stores(engine)`` gives every store over it. See ``csms.storage.sql.engine``.
"""

from csms.storage.sql.engine import create_engine, sql_stores, upgrade
from csms.storage.sql.users import SqlUserStore  # also puts the web_* tables on metadata

__all__ = ["SqlUserStore", "create_engine", "sql_stores", "upgrade"]

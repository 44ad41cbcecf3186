"""Alembic environment for csms.

``csms.storage.sql.upgrade`` hands over an open connection of an async engine (through
``connection.run_sync``) in ``config.attributes["connection"]``. From the alembic CLI, the
database URL comes from ``-x url=...`` or ``CSMS_DATABASE_URL`` and an async engine is made
here. Logging is left as the caller configured it.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from csms.storage.sql.tables import metadata


def _run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _cli_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "CSMS_DATABASE_URL"
    )
    if not url:
        raise SystemExit("give the database URL: alembic -x url=... or CSMS_DATABASE_URL")
    return url


async def _run_from_cli(url: str) -> None:
    from csms.storage.sql.engine import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run_migrations)
    finally:
        await engine.dispose()


def _main() -> None:
    if context.is_offline_mode():
        context.configure(url=_cli_url(), target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run_migrations(connection)
    else:
        asyncio.run(_run_from_cli(_cli_url()))


_main()

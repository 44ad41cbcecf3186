"""SQL :class:`~csms.storage.users.UserStore`: the ``web_users`` and ``web_sessions`` tables
(migration 0004), registered on the shared ``tables.metadata`` so that the migrations
test compares them too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.domain.operations import Role
from csms.storage.sql._common import write_transaction
from csms.storage.sql.tables import UtcDateTime, metadata
from csms.storage.users import User, UserExists, WebSession

web_users = Table(
    "web_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("name", Text, nullable=False),
    Column("driver_id", Text),
    Column("disabled", Boolean, nullable=False),
    Column("last_login_at", UtcDateTime),
    UniqueConstraint("email", name="uq_web_users_email"),
    sqlite_autoincrement=True,
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column(
        "user_id", Integer, ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False
    ),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_web_sessions_user", "user_id"),
    Index("ix_web_sessions_expires", "expires_at"),
)

_u = web_users.c
_s = web_sessions.c


def _user(row: Row[Any]) -> User:
    values = dict(row._mapping)
    values["role"] = Role(values["role"])
    return User(**values)


class SqlUserStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(
        self,
        email: str,
        role: Role,
        password_hash: str,
        created_at: datetime,
        *,
        name: str = "",
        driver_id: str | None = None,
    ) -> User:
        stmt = (
            insert(web_users)
            .values(
                email=email,
                role=Role(role).value,
                password_hash=password_hash,
                created_at=created_at,
                name=name,
                driver_id=driver_id,
                disabled=False,
            )
            .returning(*web_users.c)
        )
        try:
            async with write_transaction(self._engine) as conn:
                row = (await conn.execute(stmt)).one()
        except IntegrityError:
            raise UserExists(email) from None
        return _user(row)

    async def get(self, user_id: int) -> User | None:
        return await self._one(select(web_users).where(_u.id == user_id))

    async def by_email(self, email: str) -> User | None:
        return await self._one(select(web_users).where(_u.email == email))

    async def search(
        self, role: Role | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[User]:
        stmt = select(web_users).order_by(_u.id).limit(limit).offset(offset)
        if role is not None:
            stmt = stmt.where(_u.role == Role(role).value)
        async with self._engine.connect() as conn:
            return [_user(row) for row in await conn.execute(stmt)]

    async def update(self, user: User) -> User:
        stmt = (
            update(web_users)
            .where(_u.id == user.id)
            .values(
                role=Role(user.role).value,
                password_hash=user.password_hash,
                name=user.name,
                driver_id=user.driver_id,
                disabled=user.disabled,
                last_login_at=user.last_login_at,
            )
            .returning(*web_users.c)
        )
        async with write_transaction(self._engine) as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise KeyError(user.id)
        return _user(row)

    async def add_session(self, session: WebSession) -> None:
        async with write_transaction(self._engine) as conn:
            await conn.execute(
                insert(web_sessions).values(
                    token_hash=session.token_hash,
                    user_id=session.user_id,
                    csrf_token=session.csrf_token,
                    created_at=session.created_at,
                    expires_at=session.expires_at,
                )
            )

    async def session(self, token_hash: str) -> WebSession | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(web_sessions).where(_s.token_hash == token_hash))
            ).first()
        return WebSession(**row._mapping) if row is not None else None

    async def delete_session(self, token_hash: str) -> bool:
        return await self._delete(_s.token_hash == token_hash) > 0

    async def delete_sessions(self, user_id: int) -> int:
        return await self._delete(_s.user_id == user_id)

    async def delete_expired(self, now: datetime) -> int:
        return await self._delete(_s.expires_at <= now)

    async def _delete(self, condition: Any) -> int:
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(delete(web_sessions).where(condition))
        return int(result.rowcount or 0)

    async def _one(self, stmt: Any) -> User | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        return _user(row) if row is not None else None

"""In-memory :class:`~csms.storage.users.UserStore`: the contract of the SQL one, for tests
and for csms built on in-memory stores."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime

from csms.domain.operations import Role
from csms.storage.memory import _utc
from csms.storage.users import User, UserExists, WebSession


class MemoryUserStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._users: dict[int, User] = {}
        self._sessions: dict[str, WebSession] = {}

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
        if any(user.email == email for user in self._users.values()):
            raise UserExists(email)
        user = User(
            next(self._ids), email, Role(role), password_hash, _utc(created_at), name, driver_id
        )
        self._users[user.id] = user
        return user

    async def get(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return next((user for user in self._users.values() if user.email == email), None)

    async def search(
        self, role: Role | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[User]:
        found = [self._users[i] for i in sorted(self._users)]
        if role is not None:
            found = [user for user in found if user.role is role]
        return found[offset : offset + limit]

    async def update(self, user: User) -> User:
        stored = self._users.get(user.id)
        if stored is None:
            raise KeyError(user.id)
        last_login = _utc(user.last_login_at) if user.last_login_at else None
        updated = replace(user, email=stored.email, created_at=stored.created_at, last_login_at=last_login)
        self._users[user.id] = updated
        return updated

    async def add_session(self, session: WebSession) -> None:
        self._sessions[session.token_hash] = replace(
            session, created_at=_utc(session.created_at), expires_at=_utc(session.expires_at)
        )

    async def session(self, token_hash: str) -> WebSession | None:
        return self._sessions.get(token_hash)

    async def delete_session(self, token_hash: str) -> bool:
        return self._sessions.pop(token_hash, None) is not None

    async def delete_sessions(self, user_id: int) -> int:
        ended = [key for key, s in self._sessions.items() if s.user_id == user_id]
        for key in ended:
            del self._sessions[key]
        return len(ended)

    async def delete_expired(self, now: datetime) -> int:
        now = _utc(now)
        ended = [key for key, s in self._sessions.items() if s.expires_at <= now]
        for key in ended:
            del self._sessions[key]
        return len(ended)

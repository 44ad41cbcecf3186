"""Web accounts and their sign-in sessions (issue "Operator dashboard and driver web app").

An operator or admin signs in to the dashboard, a driver to the app; a driver account
names the ``driver_id`` whose id tags (``IdTag.owner``) and wallet it uses. Passwords are
stored hashed (``csms.services.passwords``), session tokens as their SHA-256 only.

Same rules as ``csms.storage.interfaces``: each method atomic, UTC datetimes, one
contract test for every backend (``tests/web/test_user_store.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from csms.domain.operations import Role


class UserExists(ValueError):
    """A user with that e-mail address is already stored."""


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in to the dashboard (admin, operator) or the app (driver)."""

    id: int
    email: str  # stored lower-case; unique
    role: Role
    password_hash: str
    created_at: datetime
    name: str = ""
    driver_id: str | None = None  # drivers: the owner of their id tags and wallet
    disabled: bool = False
    last_login_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser. ``csrf_token`` must come back with every form it posts."""

    token_hash: str
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class UserStore(Protocol):
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
        """Store a new user (ids increase from 1); raises UserExists."""
        ...

    async def get(self, user_id: int) -> User | None: ...

    async def by_email(self, email: str) -> User | None:
        """``email`` as stored (lower-case)."""
        ...

    async def search(
        self, role: Role | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[User]:
        """Ordered by id."""
        ...

    async def update(self, user: User) -> User:
        """Replace the stored user's fields (not its id or e-mail); KeyError if unknown."""
        ...

    async def add_session(self, session: WebSession) -> None: ...

    async def session(self, token_hash: str) -> WebSession | None:
        """The session, expired or not."""
        ...

    async def delete_session(self, token_hash: str) -> bool: ...

    async def delete_sessions(self, user_id: int) -> int:
        """Sign the user out everywhere; returns how many sessions ended."""
        ...

    async def delete_expired(self, now: datetime) -> int:
        """Remove sessions with ``expires_at <= now``; returns how many."""
        ...

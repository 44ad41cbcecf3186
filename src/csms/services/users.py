"""Web accounts: who may sign in to the dashboard (admin, operator) and the driver app
(driver), their passwords and their sessions.

Passwords are hashed with scrypt (:mod:`csms.services.passwords`) in a worker thread, so
a sign-in never stalls the event loop. A session is a random token in an HttpOnly
cookie; only its SHA-256 is stored, with the CSRF token the session's forms must send
back. Failed sign-ins are limited per e-mail address and per client address
(:class:`LoginThrottle`): after ``max_failures`` within ``window`` the next attempts are
refused, without checking the password, until the window has passed.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from csms.domain.operations import Role
from csms.services.clock import Clock
from csms.services.passwords import hash_password, verify_password
from csms.storage.users import User, UserStore, WebSession

MIN_PASSWORD = 8
SESSION_LIFETIME = {
    Role.ADMIN: timedelta(hours=12),
    Role.OPERATOR: timedelta(hours=12),
    Role.DRIVER: timedelta(days=30),
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


class InvalidEmail(AccountError):
    pass


class WeakPassword(AccountError):
    pass


class DriverWithoutId(AccountError):
    """A driver account names the driver (owner of id tags, wallet) it signs in as."""


class LoginThrottled(Exception):
    """Too many failed sign-ins: ``retry_after`` seconds until the next try is checked."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after:.0f} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A session just opened: ``token`` goes in the cookie (never stored)."""

    user: User
    session: WebSession
    token: str


@cache
def _dummy_hash() -> str:
    """A hash to check unknown addresses against: the same work as for a known one."""
    return hash_password(secrets.token_hex(8))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


class LoginThrottle:
    """Failed sign-ins per key (an e-mail address, a client address) within ``window``."""

    def __init__(self, clock: Clock, max_failures: int = 5, window: timedelta = timedelta(minutes=15)):
        self._clock = clock
        self._max = max_failures
        self._window = window
        self._failures: dict[str, deque[datetime]] = {}

    def check(self, *keys: str) -> None:
        """Raise LoginThrottled if any key is over the limit."""
        now = self._clock.now()
        for key in keys:
            failures = self._recent(key, now)
            if len(failures) >= self._max:
                raise LoginThrottled((failures[0] + self._window - now).total_seconds())

    def failed(self, *keys: str) -> None:
        now = self._clock.now()
        for key in keys:
            self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if len(self._failures) > 100_000:  # bounded memory under a spray of addresses
            self._failures = {k: v for k, v in self._failures.items() if v}
        return failures


class UserService:
    def __init__(self, store: UserStore, clock: Clock, throttle: LoginThrottle | None = None):
        self._store = store
        self._clock = clock
        self.throttle = throttle or LoginThrottle(clock)

    async def create(
        self,
        email: str,
        role: Role,
        password: str,
        *,
        name: str = "",
        driver_id: str | None = None,
    ) -> User:
        """A new account; raises InvalidEmail, WeakPassword, DriverWithoutId, UserExists."""
        email = normalize_email(email)
        if not _EMAIL.fullmatch(email):
            raise InvalidEmail(f"not an e-mail address: {email!r}")
        if len(password) < MIN_PASSWORD:
            raise WeakPassword(f"a password needs at least {MIN_PASSWORD} characters")
        role = Role(role)
        if role is Role.DRIVER and not driver_id:
            raise DriverWithoutId("a driver account needs a driver id (the owner of its id tags)")
        hashed = await asyncio.to_thread(hash_password, password)
        return await self._store.add(
            email, role, hashed, self._clock.now(), name=name, driver_id=driver_id
        )

    async def get(self, user_id: int) -> User | None:
        return await self._store.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return await self._store.by_email(normalize_email(email))

    async def search(
        self, role: Role | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[User]:
        return await self._store.search(role, limit=limit, offset=offset)

    async def set_password(self, user_id: int, password: str) -> User:
        """Change the password and end every session of the user."""
        if len(password) < MIN_PASSWORD:
            raise WeakPassword(f"a password needs at least {MIN_PASSWORD} characters")
        user = await self._store.get(user_id)
        if user is None:
            raise KeyError(user_id)
        hashed = await asyncio.to_thread(hash_password, password)
        updated = await self._store.update(replace(user, password_hash=hashed))
        await self._store.delete_sessions(user_id)
        return updated

    async def set_disabled(self, user_id: int, disabled: bool) -> User:
        """Disable (and sign out everywhere) or enable an account; KeyError if unknown."""
        user = await self._store.get(user_id)
        if user is None:
            raise KeyError(user_id)
        updated = await self._store.update(replace(user, disabled=disabled))
        if disabled:
            await self._store.delete_sessions(user_id)
        return updated

    async def sign_in(self, email: str, password: str, client: str) -> SignedIn | None:
        """Check the password and open a session; None when wrong (or disabled).
        Raises LoginThrottled after too many failures for this address or client."""
        email = normalize_email(email)
        keys = (f"email:{email}", f"client:{client}")
        self.throttle.check(*keys)
        user = await self._store.by_email(email)
        stored = user.password_hash if user is not None else _dummy_hash()
        valid = await asyncio.to_thread(verify_password, password, stored)
        if user is None or not valid or user.disabled:
            self.throttle.failed(*keys)
            return None
        self.throttle.succeeded(f"email:{email}")
        now = self._clock.now()
        await self._store.delete_expired(now)
        user = await self._store.update(replace(user, last_login_at=now))
        token = secrets.token_urlsafe(32)
        session = WebSession(
            token_hash(token),
            user.id,
            secrets.token_urlsafe(32),
            now,
            now + SESSION_LIFETIME[user.role],
        )
        await self._store.add_session(session)
        return SignedIn(user, session, token)

    async def resolve(self, token: str) -> tuple[User, WebSession] | None:
        """The live session of a cookie token and its user; None if unknown, expired or
        the user is disabled."""
        session = await self._store.session(token_hash(token))
        if session is None:
            return None
        if session.expires_at <= self._clock.now():
            await self._store.delete_session(session.token_hash)
            return None
        user = await self._store.get(session.user_id)
        if user is None or user.disabled:
            return None
        return user, session

    async def sign_out(self, token: str) -> None:
        await self._store.delete_session(token_hash(token))

"""API keys: issue, verify, revoke (issue "Operations API": ``Authorization: Bearer``).

A key is ``csms_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256
is stored: the secret is shown once, when it is issued. A fast hash is right here (unlike
station passwords) because the secret is random, not chosen by a person.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from csms.domain.operations import ApiKey, Role
from csms.services.clock import Clock
from csms.storage.operations import ApiKeyStore

KEY_PREFIX = "csms_"


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A freshly created key: the record and the secret, which is never shown again."""

    key: ApiKey
    secret: str


class DriverWithoutOwner(ValueError):
    """A driver key must name the owner of the tags it may use."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccountService:
    """Issues and checks API keys. ``last_used_at`` is written at most once per
    ``touch_every`` per key, so verification costs no write on most requests."""

    def __init__(
        self, keys: ApiKeyStore, clock: Clock, *, touch_every: timedelta = timedelta(minutes=1)
    ) -> None:
        self._keys = keys
        self._clock = clock
        self._touch_every = touch_every
        self._touched: dict[int, datetime] = {}

    async def create(self, role: Role, name: str = "", owner: str | None = None) -> IssuedKey:
        """A new key; raises DriverWithoutOwner for a driver key without ``owner``."""
        if role is Role.DRIVER and not owner:
            raise DriverWithoutOwner("a driver key needs an owner (the owner of its id tags)")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = await self._keys.add(name, role, hash_secret(secret), self._clock.now(), owner)
        return IssuedKey(key, secret)

    async def verify(self, secret: str) -> ApiKey | None:
        """The live (not revoked) key with this secret, or None."""
        if not secret.startswith(KEY_PREFIX):
            return None
        key = await self._keys.by_hash(hash_secret(secret))
        if key is None or key.revoked:
            return None
        await self._touch(key)
        return key

    async def all(self) -> list[ApiKey]:
        return await self._keys.all()

    async def get(self, key_id: int) -> ApiKey | None:
        return next((key for key in await self._keys.all() if key.id == key_id), None)

    async def revoke(self, key_id: int) -> bool:
        """True if the key existed (revoking twice is harmless)."""
        self._touched.pop(key_id, None)
        return await self._keys.revoke(key_id)

    async def _touch(self, key: ApiKey) -> None:
        now = self._clock.now()
        last = self._touched.get(key.id) or key.last_used_at
        if last is None or now - last >= self._touch_every:
            self._touched[key.id] = now
            await self._keys.touch(key.id, now)

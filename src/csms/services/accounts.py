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
_MAX_TRUSTED = 10_000  # keys trusted at once; the memo is dropped whole beyond that


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
        self,
        keys: ApiKeyStore,
        clock: Clock,
        *,
        touch_every: timedelta = timedelta(minutes=1),
        trust_for: timedelta = timedelta(seconds=5),
    ) -> None:
        self._keys = keys
        self._clock = clock
        self._touch_every = touch_every
        self._touched: dict[int, datetime] = {}
        self._trust_for = trust_for
        self._verified: dict[str, tuple[ApiKey, datetime]] = {}  # hash -> key, when read
        self._revocations = 0  # a read that overlapped a revocation is not trusted

    async def create(self, role: Role, name: str = "", owner: str | None = None) -> IssuedKey:
        """A new key; raises DriverWithoutOwner for a driver key without ``owner``."""
        if role is Role.DRIVER and not owner:
            raise DriverWithoutOwner("a driver key needs an owner (the owner of its id tags)")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = await self._keys.add(name, role, hash_secret(secret), self._clock.now(), owner)
        return IssuedKey(key, secret)

    async def verify(self, secret: str) -> ApiKey | None:
        """The live (not revoked) key with this secret, or None.

        A key read from the store is trusted for ``trust_for`` (5 s) without reading it
        again: under load every read waits for a database thread, and an API client
        sends many requests with one key. Revoking through this service takes effect at
        once; revoking from another process (``csms apikeys revoke``) within ``trust_for``.
        """
        if not secret.startswith(KEY_PREFIX):
            return None
        digest = hash_secret(secret)
        now = self._clock.now()
        trusted = self._verified.get(digest)
        if trusted is not None and now - trusted[1] < self._trust_for:
            key = trusted[0]
        else:
            revocations = self._revocations
            found = await self._keys.by_hash(digest)
            if found is None or found.revoked:
                self._verified.pop(digest, None)
                return None
            if len(self._verified) >= _MAX_TRUSTED:
                self._verified.clear()
            if revocations == self._revocations:
                self._verified[digest] = (found, now)
            key = found
        await self._touch(key)
        return key

    async def all(self) -> list[ApiKey]:
        return await self._keys.all()

    async def get(self, key_id: int) -> ApiKey | None:
        return next((key for key in await self._keys.all() if key.id == key_id), None)

    async def revoke(self, key_id: int) -> bool:
        """True if the key existed (revoking twice is harmless)."""
        self._touched.pop(key_id, None)
        revoked = await self._keys.revoke(key_id)
        self._revocations += 1
        self._verified = {h: v for h, v in self._verified.items() if v[0].id != key_id}
        return revoked

    async def _touch(self, key: ApiKey) -> None:
        now = self._clock.now()
        last = self._touched.get(key.id) or key.last_used_at
        if last is None or now - last >= self._touch_every:
            self._touched[key.id] = now
            await self._keys.touch(key.id, now)

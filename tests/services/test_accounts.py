"""API key verification (csms.services.accounts): a key is read from the store at most once
per ``trust_for``, and a revocation is never hidden by that."""

from __future__ import annotations

from datetime import timedelta

from csms.domain.operations import Role
from csms.services.accounts import AccountService
from csms.storage.memory import memory_stores
from csms.storage.operations import ApiKeyStore
from csms.testing import FakeClock


class CountingKeys:
    """The memory key store, counting reads by hash."""

    def __init__(self, inner: ApiKeyStore) -> None:
        self.inner = inner
        self.reads = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def by_hash(self, key_hash: str) -> object:
        self.reads += 1
        return await self.inner.by_hash(key_hash)


def _service() -> tuple[AccountService, CountingKeys, FakeClock]:
    clock = FakeClock()
    keys = CountingKeys(memory_stores(clock.now).api_keys)
    return AccountService(keys, clock, trust_for=timedelta(seconds=5)), keys, clock  # type: ignore[arg-type]


async def test_a_verified_key_is_not_read_again_within_trust_for() -> None:
    accounts, keys, clock = _service()
    issued = await accounts.create(Role.OPERATOR)

    for _ in range(10):
        assert await accounts.verify(issued.secret) is not None
        clock.advance(0.4)
    assert keys.reads == 1

    clock.advance(2)
    assert await accounts.verify(issued.secret) is not None
    assert keys.reads == 2


async def test_revoking_through_the_service_takes_effect_at_once() -> None:
    accounts, _keys, _clock = _service()
    issued = await accounts.create(Role.OPERATOR)
    assert await accounts.verify(issued.secret) is not None

    await accounts.revoke(issued.key.id)

    assert await accounts.verify(issued.secret) is None


async def test_a_key_revoked_elsewhere_stops_working_after_trust_for() -> None:
    accounts, keys, clock = _service()
    issued = await accounts.create(Role.OPERATOR)
    assert await accounts.verify(issued.secret) is not None

    await keys.inner.revoke(issued.key.id)  # as `csms apikeys revoke` in another process
    clock.advance(5)

    assert await accounts.verify(issued.secret) is None


async def test_unknown_and_malformed_secrets_are_refused() -> None:
    accounts, _keys, _clock = _service()
    assert await accounts.verify("csms_not-a-key") is None
    assert await accounts.verify("Bearer nonsense") is None

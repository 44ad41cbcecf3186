"""Web accounts: creation rules, sign-in, sessions, throttling of failed sign-ins."""

from __future__ import annotations

import pytest

from csms.domain.operations import Role
from csms.services.users import (
    DriverWithoutId,
    InvalidEmail,
    LoginThrottled,
    UserService,
    WeakPassword,
    token_hash,
)
from csms.storage.memory_users import MemoryUserStore
from csms.testing import FakeClock


@pytest.fixture
def service(clock: FakeClock) -> UserService:
    return UserService(MemoryUserStore(), clock)


async def test_accounts_are_checked_and_passwords_never_stored_in_clear(service: UserService) -> None:
    with pytest.raises(InvalidEmail):
        await service.create("not-an-address", Role.ADMIN, "long enough")
    with pytest.raises(WeakPassword):
        await service.create("a@example.com", Role.ADMIN, "short")
    with pytest.raises(DriverWithoutId):
        await service.create("d@example.com", Role.DRIVER, "long enough")
    user = await service.create(" Ada@Example.COM ", Role.ADMIN, "long enough")
    assert user.email == "ada@example.com"
    assert "long enough" not in user.password_hash
    assert user.password_hash.startswith("scrypt$")


async def test_sign_in_opens_a_session_that_resolves_until_it_expires(
    service: UserService, clock: FakeClock
) -> None:
    await service.create("ada@example.com", Role.OPERATOR, "long enough")
    assert await service.sign_in("ada@example.com", "wrong password", "10.0.0.1") is None
    signed = await service.sign_in("ADA@example.com", "long enough", "10.0.0.1")
    assert signed is not None
    assert signed.session.token_hash == token_hash(signed.token) != signed.token
    resolved = await service.resolve(signed.token)
    assert resolved is not None
    assert resolved[0].email == "ada@example.com"
    assert resolved[0].last_login_at == clock.now()
    clock.advance(12 * 3600)
    assert await service.resolve(signed.token) is None


async def test_sign_out_and_password_change_end_sessions(service: UserService) -> None:
    user = await service.create("ada@example.com", Role.OPERATOR, "long enough")
    first = await service.sign_in("ada@example.com", "long enough", "c")
    second = await service.sign_in("ada@example.com", "long enough", "c")
    assert first is not None
    assert second is not None
    await service.sign_out(first.token)
    assert await service.resolve(first.token) is None
    assert await service.resolve(second.token) is not None
    await service.set_password(user.id, "another secret")
    assert await service.resolve(second.token) is None
    assert await service.sign_in("ada@example.com", "another secret", "c") is not None


async def test_five_failures_lock_the_address_for_the_window(
    service: UserService, clock: FakeClock
) -> None:
    await service.create("ada@example.com", Role.OPERATOR, "long enough")
    for _ in range(5):
        assert await service.sign_in("ada@example.com", "guess", "c1") is None
    with pytest.raises(LoginThrottled) as raised:
        await service.sign_in("ada@example.com", "long enough", "c2")  # right, but locked
    assert 0 < raised.value.retry_after <= 15 * 60
    clock.advance(15 * 60)
    assert await service.sign_in("ada@example.com", "long enough", "c2") is not None


async def test_failures_from_one_client_lock_that_client_for_every_address(
    service: UserService,
) -> None:
    await service.create("ada@example.com", Role.OPERATOR, "long enough")
    for n in range(5):
        await service.sign_in(f"guess{n}@example.com", "guess", "evil")
    with pytest.raises(LoginThrottled):
        await service.sign_in("ada@example.com", "long enough", "evil")
    assert await service.sign_in("ada@example.com", "long enough", "friendly") is not None


async def test_disabled_accounts_cannot_sign_in(service: UserService) -> None:
    user = await service.create("ada@example.com", Role.OPERATOR, "long enough")
    signed = await service.sign_in("ada@example.com", "long enough", "c")
    assert signed is not None
    await service.set_disabled(user.id, True)
    assert await service.resolve(signed.token) is None
    assert await service.sign_in("ada@example.com", "long enough", "c") is None

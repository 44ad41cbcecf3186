"""The web account store's contract, on memory and on a migrated SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from csms.domain.operations import Role
from csms.storage.memory_users import MemoryUserStore
from csms.storage.sql import SqlUserStore, create_engine, upgrade
from csms.storage.users import UserExists, UserStore, WebSession

T0 = datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UserStore]:
    if request.param == "memory":
        yield MemoryUserStore()
        return
    url = f"sqlite+aiosqlite:///{tmp_path}/users.db"
    await upgrade(url)
    engine = create_engine(url)
    try:
        yield SqlUserStore(engine)
    finally:
        await engine.dispose()


async def test_users_get_increasing_ids_and_unique_emails(store: UserStore) -> None:
    first = await store.add("a@example.com", Role.ADMIN, "h1", T0, name="Ada")
    second = await store.add("d@example.com", Role.DRIVER, "h2", T0, driver_id="alice")
    assert (first.id, second.id) == (1, 2)
    assert second.driver_id == "alice"
    assert second.role is Role.DRIVER
    assert first.created_at == T0
    assert not first.disabled
    with pytest.raises(UserExists):
        await store.add("a@example.com", Role.OPERATOR, "h3", T0)


async def test_users_are_found_by_id_email_and_role(store: UserStore) -> None:
    admin = await store.add("a@example.com", Role.ADMIN, "h1", T0)
    await store.add("o@example.com", Role.OPERATOR, "h2", T0)
    assert await store.get(admin.id) == admin
    assert await store.by_email("a@example.com") == admin
    assert await store.by_email("nobody@example.com") is None
    assert [u.email for u in await store.search(Role.OPERATOR)] == ["o@example.com"]
    assert [u.id for u in await store.search(limit=1, offset=1)] == [2]


async def test_update_changes_everything_but_id_and_email(store: UserStore) -> None:
    user = await store.add("a@example.com", Role.OPERATOR, "h1", T0)
    changed = await store.update(
        type(user)(user.id, "x@example.com", Role.ADMIN, "h9", T0, "New", None, True, T0)
    )
    assert changed.email == "a@example.com"
    assert (changed.role, changed.password_hash, changed.name, changed.disabled) == (Role.ADMIN, "h9", "New", True)
    assert changed.last_login_at == T0
    assert await store.get(user.id) == changed


async def test_sessions_are_stored_ended_and_expired(store: UserStore) -> None:
    user = await store.add("a@example.com", Role.OPERATOR, "h1", T0)
    live = WebSession("t1", user.id, "c1", T0, T0 + timedelta(hours=1))
    old = WebSession("t2", user.id, "c2", T0, T0 + timedelta(minutes=1))
    await store.add_session(live)
    await store.add_session(old)
    assert await store.session("t1") == live
    assert await store.delete_expired(T0 + timedelta(minutes=1)) == 1
    assert await store.session("t2") is None
    assert await store.delete_session("t1") is True
    assert await store.delete_session("t1") is False
    await store.add_session(live)
    assert await store.delete_sessions(user.id) == 1

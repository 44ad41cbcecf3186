"""``csms users create|list`` against a real SQLite file: the first admin can sign in."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from csms.cli import main
from csms.services import SystemClock
from csms.services.users import UserService
from csms.storage.sql import SqlUserStore, create_engine


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


async def _signs_in(url: str, email: str, password: str) -> bool:
    engine = create_engine(url)
    try:
        return await UserService(SqlUserStore(engine), SystemClock()).sign_in(email, password, "cli") is not None
    finally:
        await engine.dispose()


def test_the_first_admin_is_created_and_can_sign_in(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"
    code, out, err = _run("users", "create", "Ada@Example.com", "--role", "admin", "--database-url", url,
                          stdin="long enough\nlong enough\n")
    assert code == 0, err
    assert "created admin account 1: ada@example.com" in out
    assert asyncio.run(_signs_in(url, "ada@example.com", "long enough"))
    code, out, _ = _run("users", "list", "--database-url", url)
    assert out.startswith("1\tadmin\tada@example.com\tdriver=-\tactive")
    assert "long enough" not in out


def test_bad_accounts_are_refused_with_a_reason(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"
    code, _, err = _run("users", "create", "d@example.com", "--role", "driver", "--password", "long enough", "--database-url", url)
    assert code == 2
    assert "--driver-id" in err
    code, _, err = _run("users", "create", "o@example.com", "--role", "operator", "--password", "short", "--database-url", url)
    assert code == 1
    assert "at least 8 characters" in err
    _run("users", "create", "o@example.com", "--role", "operator", "--password", "long enough", "--database-url", url)
    code, _, err = _run("users", "create", "o@example.com", "--role", "admin", "--password", "long enough", "--database-url", url)
    assert code == 1
    assert "exists already" in err

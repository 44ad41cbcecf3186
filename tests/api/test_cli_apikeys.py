"""``csms apikeys create|list|revoke`` against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from csms.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_prints_the_key_once_then_list_and_revoke(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"
    code, out, err = _run("apikeys", "create", "--role", "operator", "--name", "ops", "--database-url", url)
    assert code == 0, err
    secret = out.strip()
    assert secret.startswith("csms_")
    assert "shown only this once" in err
    code, out, _ = _run("apikeys", "list", "--database-url", url)
    assert code == 0
    assert out.startswith("1\toperator\tactive\tname=ops")
    assert secret not in out
    code, out, _ = _run("apikeys", "revoke", "1", "--database-url", url)
    assert (code, out.strip()) == (0, "revoked API key 1")
    assert "\trevoked\t" in _run("apikeys", "list", "--database-url", url)[1]


def test_driver_key_needs_owner_and_unknown_revoke_fails(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"
    code, _, err = _run("apikeys", "create", "--role", "driver", "--database-url", url)
    assert code == 2
    assert "--owner" in err
    code, _, _ = _run(
        "apikeys", "create", "--role", "driver", "--owner", "alice", "--database-url", url
    )
    assert code == 0
    assert "owner=alice" in _run("apikeys", "list", "--database-url", url)[1]
    code, _, err = _run("apikeys", "revoke", "42", "--database-url", url)
    assert code == 1
    assert "no API key 42" in err

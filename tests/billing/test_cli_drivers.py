"""``csms drivers add|list|top-up`` against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from csms.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_add_top_up_and_list_drivers(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"

    assert _run("drivers", "add", "alice", "--currency", "CNY", "--name", "Alice", "--database-url", url)[:2] == (
        0, "driver alice (CNY)\n"
    )  # fmt: skip
    assert _run("drivers", "top-up", "alice", "88.8", "--note", "cash", "--database-url", url)[:2] == (
        0, "alice: 88.80\n"
    )  # fmt: skip
    code, out, _ = _run("drivers", "list", "--database-url", url)
    assert (code, out) == (0, "alice\t88.80 CNY\tname=Alice\tgroup=-\n")


def test_mistakes_are_reported(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csms.db'}"
    _run("drivers", "add", "alice", "--database-url", url)

    assert _run("drivers", "add", "alice", "--database-url", url)[0] == 1
    assert _run("drivers", "add", "bob", "--currency", "euro", "--database-url", url)[0] == 1
    assert _run("drivers", "top-up", "bob", "5", "--database-url", url)[0] == 1
    assert _run("drivers", "top-up", "alice", "five", "--database-url", url)[0] == 2
    assert _run("drivers", "top-up", "alice", "0.001", "--database-url", url)[0] == 1

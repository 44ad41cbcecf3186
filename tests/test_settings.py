"""Settings come from flags, then CSMS_* variables, then a TOML file, and are validated."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from csms.settings import Settings


def test_precedence_is_flags_then_environment_then_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "csms.toml"
    config.write_text('ocpp_port = 9100\nhttp_port = 8100\nauto_register = true\n')
    monkeypatch.setenv("CSMS_CONFIG", str(config))
    monkeypatch.setenv("CSMS_HTTP_PORT", "8200")
    settings = Settings(ocpp_port=9300)
    assert (settings.ocpp_port, settings.http_port, settings.auto_register) == (9300, 8200, True)


def test_defaults_are_the_embedded_database_and_the_documented_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSMS_CONFIG", str(tmp_path / "absent.toml"))
    settings = Settings()
    assert (settings.ocpp_port, settings.http_port) == (9000, 8000)
    assert settings.database_url == "sqlite+aiosqlite:///csms-data/csms.db"
    assert settings.auto_register is False


@pytest.mark.parametrize(
    "bad", [{"database_url": "mysql://x"}, {"ocpp_port": 70000}, {"no_such_setting": 1}]
)
def test_invalid_settings_are_refused_at_start(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**bad)  # type: ignore[arg-type]

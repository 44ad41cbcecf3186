"""Typed settings, validated at start and passed down (never imported as a global).

Sources, highest priority first: command-line flags (the CLI passes them as init
arguments), environment variables ``CSMS_<NAME>``, a TOML file (``CSMS_CONFIG`` or
``./csms.toml``), then these defaults.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///csms-data/csms.db"


def _toml_path() -> Path:
    return Path(os.environ.get("CSMS_CONFIG", "csms.toml"))


class Settings(BaseSettings):
    """Everything csms can be configured with."""

    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="forbid")

    host: str = "0.0.0.0"
    ocpp_port: int = Field(9000, ge=0, le=65535)
    http_port: int = Field(8000, ge=0, le=65535)
    database_url: str = DEFAULT_DATABASE_URL
    auto_register: bool = False
    heartbeat_interval: int = Field(300, ge=1, description="seconds, sent in BootNotification.conf")
    boot_retry_interval: int = Field(60, ge=1, description="seconds, for Pending/Rejected boots")
    lenient_default: bool = Field(False, description="lenient validation for every station")
    call_timeout: float = Field(30.0, gt=0, description="default timeout of CSMS-initiated calls")
    ping_interval: float = Field(30.0, gt=0, description="WebSocket ping after this idle time")
    ping_timeout: float = Field(30.0, gt=0, description="close when no pong within this time")
    message_log_retention_days: float = Field(7.0, gt=0)
    flush_interval: float = Field(0.05, gt=0, description="seconds between write-behind flushes")
    directory_refresh_interval: float = Field(5.0, gt=0)
    shutdown_timeout: float = Field(5.0, gt=0)
    listen_backlog: int = Field(
        4096, ge=1, description="pending TCP connections the OCPP port queues (boot storms)"
    )
    api_open_on_localhost: bool = Field(
        False, description="development only: API requests from 127.0.0.1/::1 without a key are admin"
    )
    billing_currency: str = Field(
        "EUR", pattern=r"^[A-Z]{3}$", description="currency of orders no tariff applies to"
    )
    billing_minimum_balance: Decimal = Field(
        Decimal(0), description="a driver's wallet below this may not start charging (Blocked)"
    )
    billing_persist_interval: float = Field(
        30.0, gt=0, description="seconds between writes of a running cost to the database"
    )
    billing_reconcile_interval: float = Field(
        60.0, gt=0, description="seconds between sweeps that price orders a crash left open"
    )
    billing_test_payments: bool = Field(
        False, description="enable the 'test' payment provider (free money: never in production)"
    )
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    time_zone: str = Field(
        "UTC", description="IANA time zone the web pages show times in (storage stays UTC)"
    )

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, url: str) -> str:
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "database_url must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return url

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"unknown time zone {name!r} (IANA names: Europe/Berlin, Asia/Shanghai)") from None
        return name

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_toml_path())
        return (init_settings, env_settings, toml)

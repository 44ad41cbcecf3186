"""The ``csms`` command line: serve, db, stations, tags, apikeys, drivers, simulate.

Every ``serve`` flag can also be set as ``CSMS_<NAME>`` in the environment or in a TOML
file (``CSMS_CONFIG``, default ``./csms.toml``); flags win.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import click
import uvloop
from pydantic import ValidationError

from csms.app import build_app, freeze_startup_objects, wire_services
from csms.domain import AuthorizationStatus, IdTag
from csms.domain.billing import Driver
from csms.domain.operations import Role
from csms.logging import configure_logging
from csms.services import SystemClock, as_utc
from csms.settings import Settings
from csms.simulator import simulate_command
from csms.storage import StationExists, Stores
from csms.storage.sql import create_engine, sql_stores, upgrade

_T = TypeVar("_T")

database_option = click.option(
    "--database-url", envvar="CSMS_DATABASE_URL", default=None,
    help="sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
)


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        raise click.UsageError(f"invalid settings:\n{error}") from None


@click.group()
def main() -> None:
    """csms: an OCPP Charging Station Management System."""


@main.command()
@click.option("--host", default=None, help="interface to listen on [0.0.0.0]")
@click.option("--ocpp-port", type=int, default=None, help="OCPP WebSocket port [9000]")
@click.option("--http-port", type=int, default=None, help="HTTP API port [8000]")
@database_option
@click.option("--auto-register/--no-auto-register", default=None, help="admit unknown stations")
@click.option("--heartbeat-interval", type=int, default=None, help="seconds [300]")
def serve(**flags: Any) -> None:
    """Run the OCPP gateway and the HTTP API (migrates the database first)."""
    settings = _settings(**flags)
    configure_logging(settings.log_format, settings.log_level)
    uvloop.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    app = await build_app(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, app.request_stop)
    freeze_startup_objects()
    await app.run()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str | None) -> None:
    """Apply the Alembic migrations up to the newest."""
    settings = _settings(database_url=database_url)
    asyncio.run(upgrade(settings.database_url))
    click.echo(f"database at head: {settings.database_url}")


@main.group()
def stations() -> None:
    """Registered charging stations."""


@stations.command("add")
@click.argument("station_id")
@click.option("--password", default=None, help="HTTP Basic password (security profile 1)")
@click.option("--lenient/--strict", default=False, help="tolerate non-compliant messages")
@database_option
def stations_add(station_id: str, password: str | None, lenient: bool, database_url: str | None) -> None:
    """Register a station so that it may connect."""

    async def add(stores: Stores, settings: Settings) -> None:
        services = wire_services(settings, stores, SystemClock())
        try:
            await services.stations.add(station_id, password, lenient=lenient)
        except StationExists:
            raise click.ClickException(f"station {station_id} already exists") from None

    _with_stores(database_url, add)
    click.echo(f"added station {station_id}" + (" (password set)" if password else ""))


@stations.command("list")
@database_option
def stations_list(database_url: str | None) -> None:
    """List registered stations."""

    async def fetch(stores: Stores, _settings: Settings) -> None:
        for s in await stores.stations.all():
            seen = s.last_seen_at.isoformat() if s.last_seen_at else "never"
            click.echo(
                f"{s.id}\t{s.registration_status}\t{s.vendor or '-'}\t{s.model or '-'}\t"
                f"fw={s.firmware_version or '-'}\tlast_seen={seen}"
            )

    _with_stores(database_url, fetch)


@main.group()
def tags() -> None:
    """Id tags (RFID cards, app tokens)."""


@tags.command("add")
@click.argument("tag")
@click.option(
    "--status", type=click.Choice([s.value for s in AuthorizationStatus]), default="Accepted"
)
@click.option("--expiry", default=None, help="ISO 8601 expiry date (UTC if no offset)")
@click.option("--parent", default=None, help="parent (group) id tag")
@click.option("--owner", default=None, help="the driver it belongs to (driver API keys' owner)")
@database_option
def tags_add(
    tag: str,
    status: str,
    expiry: str | None,
    parent: str | None,
    owner: str | None,
    database_url: str | None,
) -> None:
    """Add or update an id tag."""
    if len(tag) > 20:
        raise click.BadParameter("an OCPP 1.6 idTag has at most 20 characters", param_hint="TAG")
    try:
        expiry_date = as_utc(datetime.fromisoformat(expiry)) if expiry else None
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date: {expiry}", param_hint="--expiry") from None
    record = IdTag(tag, AuthorizationStatus(status), expiry_date, parent, owner)

    async def put(stores: Stores, _settings: Settings) -> None:
        await stores.id_tags.upsert(record)

    _with_stores(database_url, put)
    click.echo(f"tag {tag}: {status}")


@tags.command("list")
@database_option
def tags_list(database_url: str | None) -> None:
    """List id tags."""

    async def fetch(stores: Stores, _settings: Settings) -> None:
        for t in await stores.id_tags.all():
            expiry = t.expiry_date.isoformat() if t.expiry_date else "-"
            click.echo(
                f"{t.id_tag}\t{t.status}\texpiry={expiry}\tparent={t.parent_id_tag or '-'}\t"
                f"owner={t.owner or '-'}"
            )

    _with_stores(database_url, fetch)


@main.group()
def apikeys() -> None:
    """API keys for the REST API (Authorization: Bearer <key>)."""


@apikeys.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="a label for people")
@click.option("--owner", default=None, help="driver keys: the owner of the id tags it may use")
@database_option
def apikeys_create(role: str, name: str, owner: str | None, database_url: str | None) -> None:
    """Create a key and print it (once: only its hash is stored)."""
    if role == Role.DRIVER and not owner:
        raise click.BadParameter("a driver key needs --owner", param_hint="--owner")

    async def create(stores: Stores, settings: Settings) -> None:
        services = wire_services(settings, stores, SystemClock())
        issued = await services.accounts.create(Role(role), name, owner)
        click.echo(f"created API key {issued.key.id} ({role}); it is shown only this once:", err=True)
        click.echo(issued.secret)

    _with_stores(database_url, create)


@apikeys.command("list")
@database_option
def apikeys_list(database_url: str | None) -> None:
    """List keys (never their secrets)."""

    async def fetch(stores: Stores, _settings: Settings) -> None:
        for k in await stores.api_keys.all():
            used = k.last_used_at.isoformat() if k.last_used_at else "never"
            state = "revoked" if k.revoked else "active"
            click.echo(
                f"{k.id}\t{k.role}\t{state}\tname={k.name or '-'}\towner={k.owner or '-'}\t"
                f"created={k.created_at.isoformat()}\tlast_used={used}"
            )

    _with_stores(database_url, fetch)


@apikeys.command("revoke")
@click.argument("key_id", type=int)
@database_option
def apikeys_revoke(key_id: int, database_url: str | None) -> None:
    """Revoke a key: it stops working at once."""

    async def revoke(stores: Stores, _settings: Settings) -> None:
        if not await stores.api_keys.revoke(key_id):
            raise click.ClickException(f"no API key {key_id}")

    _with_stores(database_url, revoke)
    click.echo(f"revoked API key {key_id}")


@main.group()
def drivers() -> None:
    """Drivers and their wallets (billing)."""


@drivers.command("add")
@click.argument("driver_id")
@click.option("--currency", default="EUR", help="of the wallet (ISO 4217)")
@click.option("--name", default="")
@click.option("--group", default=None, help="driver group (for group tariffs)")
@database_option
def drivers_add(
    driver_id: str, currency: str, name: str, group: str | None, database_url: str | None
) -> None:
    """Add a driver with an empty wallet; give their tags --owner DRIVER_ID."""

    async def add(stores: Stores, settings: Settings) -> None:
        wallets = wire_services(settings, stores, SystemClock()).billing.wallets
        try:
            await wallets.add_driver(Driver(driver_id, currency, SystemClock().now(), name, group=group))
        except ValueError as error:  # DriverExists, or a bad currency
            raise click.ClickException(str(error) or f"driver {driver_id} exists") from None

    _with_stores(database_url, add)
    click.echo(f"driver {driver_id} ({currency})")


@drivers.command("list")
@database_option
def drivers_list(database_url: str | None) -> None:
    """List drivers with their wallet balance."""

    async def fetch(stores: Stores, settings: Settings) -> None:
        wallets = wire_services(settings, stores, SystemClock()).billing.wallets
        for driver in await wallets.drivers(limit=10_000):
            wallet = await wallets.wallet(driver.id)
            click.echo(f"{driver.id}	{wallet.balance} {wallet.currency}	name={driver.name or '-'}	"
                       f"group={driver.group or '-'}")  # fmt: skip

    _with_stores(database_url, fetch)


@drivers.command("top-up")
@click.argument("driver_id")
@click.argument("amount")
@click.option("--note", default="", help="e.g. cash, bank transfer reference")
@database_option
def drivers_top_up(driver_id: str, amount: str, note: str, database_url: str | None) -> None:
    """Record money an operator received for DRIVER_ID's wallet."""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise click.BadParameter(f"not an amount: {amount}", param_hint="AMOUNT") from None

    async def top_up(stores: Stores, settings: Settings) -> None:
        wallets = wire_services(settings, stores, SystemClock()).billing.wallets
        try:
            await wallets.top_up(driver_id, value, note=note)
        except (LookupError, ValueError) as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{driver_id}: {(await wallets.wallet(driver_id)).balance}")

    _with_stores(database_url, top_up)


@main.group()
def users() -> None:
    """Web accounts: the dashboard (admin, operator) and the driver app (driver)."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", default=None, help="at least 8 characters [asked for when not given]")
@click.option("--name", default="", help="the name shown on the pages")
@click.option("--driver-id", default=None, help="drivers: the owner of their id tags and wallet")
@database_option
def users_create(
    email: str,
    role: str,
    password: str | None,
    name: str,
    driver_id: str | None,
    database_url: str | None,
) -> None:
    """Create a web account (``--role admin`` makes the first dashboard account)."""
    from csms.services.users import AccountError, UserService
    from csms.storage.sql import SqlUserStore
    from csms.storage.users import UserExists

    if role == Role.DRIVER and not driver_id:
        raise click.BadParameter("a driver account needs --driver-id", param_hint="--driver-id")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings(database_url=database_url)

    async def create() -> None:
        await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            service = UserService(SqlUserStore(engine), SystemClock())
            user = await service.create(
                email, Role(role), password, name=name, driver_id=driver_id
            )
        except UserExists:
            raise click.ClickException(f"an account for {email} exists already") from None
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        finally:
            await engine.dispose()
        click.echo(f"created {user.role} account {user.id}: {user.email}")

    asyncio.run(create())


@users.command("list")
@database_option
def users_list(database_url: str | None) -> None:
    """List web accounts (never their passwords)."""
    from csms.storage.sql import SqlUserStore

    settings = _settings(database_url=database_url)

    async def fetch() -> None:
        await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            for user in await SqlUserStore(engine).search(limit=100_000):
                seen = user.last_login_at.isoformat() if user.last_login_at else "never"
                click.echo(
                    f"{user.id}\t{user.role}\t{user.email}\tdriver={user.driver_id or '-'}\t"
                    f"{'disabled' if user.disabled else 'active'}\tlast_login={seen}"
                )
        finally:
            await engine.dispose()

    asyncio.run(fetch())


def _with_stores(
    database_url: str | None, work: Callable[[Stores, Settings], Awaitable[None]]
) -> None:
    settings = _settings(database_url=database_url)

    async def run() -> None:
        await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            await work(sql_stores(engine), settings)
        finally:
            await engine.dispose()

    asyncio.run(run())


main.add_command(simulate_command, "simulate")

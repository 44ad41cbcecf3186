"""``csms serve`` plus scenario 4's command driver in the same process.

The REST API has no command endpoints yet, so scenario 4 measures the path one layer
down: :meth:`csms.gateway.Gateway.call` of RemoteStartTransaction /
RemoteStopTransaction, with the typed request encoded and the typed answer validated,
from inside the running server. Everything else is exactly ``csms serve``: settings
from ``CSMS_*``, :func:`csms.app.build_app`, :meth:`csms.app.App.run`.

    BENCH_COMMANDS='{"rate": 50, "duration": 10, "out": "x.json"}' python -m bench.servers.csms_commands
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

import uvloop

from bench.servers.commands import CommandPlan, drive
from csms.app import App, build_app
from csms.logging import configure_logging
from csms.ocpp.messages import v16
from csms.settings import Settings


def _sender(app: App) -> Callable[[str, str, int], Awaitable[None]]:
    async def send(station_id: str, action: str, n: int) -> None:
        gateway = app.gateway
        if action == "RemoteStartTransaction":
            await gateway.call(
                station_id,
                action,
                v16.RemoteStartTransactionRequest(connector_id=1, id_tag="BENCHTAG"),
                v16.RemoteStartTransactionResponse,
            )
        else:
            await gateway.call(
                station_id,
                action,
                v16.RemoteStopTransactionRequest(transaction_id=n),
                v16.RemoteStopTransactionResponse,
            )

    return send


async def serve(settings: Settings) -> None:
    app = await build_app(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, app.request_stop)
    plan = CommandPlan.from_env()
    driver = loop.create_task(drive(plan, app.gateway.connected, _sender(app))) if plan else None
    await app.run()
    if driver is not None:
        driver.cancel()


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    uvloop.run(serve(settings))


if __name__ == "__main__":
    main()

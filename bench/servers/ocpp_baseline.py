"""The baseline: a minimal OCPP 1.6J central system on the mobilityhouse ``ocpp`` library
and ``websockets``, written the way the library's documentation shows ("Server side
usage": a ``ChargePoint`` subclass with ``@on`` handlers, ``websockets.serve`` with the
``ocpp1.6`` subprotocol, ``await cp.start()`` per connection). Schema validation is on
(the library's default, requests and responses); nothing is persisted.

    python -m bench.servers.ocpp_baseline --port 9000

Two deviations, both in the baseline's favour: uvloop instead of the default loop, and
logging at WARNING (the documentation's ``logging.INFO`` logs every frame). With
``BENCH_COMMANDS`` set (scenario 4) it also sends RemoteStart/RemoteStopTransaction
through ``ChargePoint.call``, the library's way.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import uvloop
import websockets
from ocpp.routing import on as _on  # type: ignore[import-untyped]
from ocpp.v16 import ChargePoint as cp  # type: ignore[import-untyped]
from ocpp.v16 import call, call_result
from ocpp.v16.enums import (  # type: ignore[import-untyped]
    Action,
    AuthorizationStatus,
    RegistrationStatus,
)
from websockets.typing import Subprotocol

from bench.servers.commands import CommandPlan, drive_on_signal

_F = TypeVar("_F", bound=Callable[..., Any])


def on(action: str) -> Callable[[_F], _F]:
    """The library's ``@on`` (untyped), typed for mypy."""
    return cast(Callable[[_F], _F], _on(action))


logging.basicConfig(level=logging.WARNING)
_transaction_ids = itertools.count(1)
charge_points: dict[str, ChargePoint] = {}


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ChargePoint(cp):  # type: ignore[misc]  # the library is untyped
    @on(Action.boot_notification)
    def on_boot_notification(
        self, charge_point_vendor: str, charge_point_model: str, **kwargs: Any
    ) -> call_result.BootNotification:
        return call_result.BootNotification(
            current_time=_now(), interval=300, status=RegistrationStatus.accepted
        )

    @on(Action.heartbeat)
    def on_heartbeat(self) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    def on_status_notification(
        self, connector_id: int, error_code: str, status: str, **kwargs: Any
    ) -> call_result.StatusNotification:
        return call_result.StatusNotification()

    @on(Action.meter_values)
    def on_meter_values(
        self, connector_id: int, meter_value: list[dict[str, Any]], **kwargs: Any
    ) -> call_result.MeterValues:
        return call_result.MeterValues()

    @on(Action.start_transaction)
    def on_start_transaction(
        self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kwargs: Any
    ) -> call_result.StartTransaction:
        return call_result.StartTransaction(
            transaction_id=next(_transaction_ids),
            id_tag_info={"status": AuthorizationStatus.accepted},
        )


async def on_connect(websocket: websockets.ServerConnection) -> None:
    """For every new charge point that connects, create a ChargePoint and listen."""
    requested = websocket.request.headers.get("Sec-WebSocket-Protocol") if websocket.request else None
    if not requested or websocket.subprotocol is None:
        await websocket.close()
        return
    path = websocket.request.path if websocket.request else "/"
    charge_point_id = path.strip("/").rsplit("/", 1)[-1]
    charge_point = ChargePoint(charge_point_id, websocket)
    charge_points[charge_point_id] = charge_point
    try:
        await charge_point.start()
    except websockets.ConnectionClosed:
        pass
    finally:
        if charge_points.get(charge_point_id) is charge_point:
            del charge_points[charge_point_id]


async def command(station_id: str, action: str, n: int) -> None:
    charge_point = charge_points[station_id]
    if action == "RemoteStartTransaction":
        await charge_point.call(call.RemoteStartTransaction(id_tag="BENCHTAG", connector_id=1))
    else:
        await charge_point.call(call.RemoteStopTransaction(transaction_id=n))


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    plan = CommandPlan.from_env()
    driver = (
        loop.create_task(drive_on_signal(plan, lambda: list(charge_points), command)) if plan else None
    )
    async with websockets.serve(on_connect, "127.0.0.1", port, subprotocols=[Subprotocol("ocpp1.6")]):
        await stop.wait()
    if driver is not None:
        driver.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9000)
    uvloop.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()

"""The raw transport limit: a bare picows server that answers every CALL with a fixed
CALLRESULT (the CALL's unique id, always the same payload) and does nothing else.

    python -m bench.servers.echo --port 9000

The payload has every field the load generator reads (status, transactionId), so the
stations run the same script against it as against a real central system. With
``BENCH_COMMANDS`` set (scenario 4), it also sends raw RemoteStart/RemoteStopTransaction
CALL frames and matches the answers by id.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal

import uvloop
from picows import (
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    WSUpgradeRequest,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
    ws_create_server,
)

from bench.servers.commands import CommandPlan, drive_on_signal

ANSWER = (
    b',{"status":"Accepted","currentTime":"2025-01-15T02:09:54Z","interval":300,'
    b'"transactionId":1,"idTagInfo":{"status":"Accepted"}}]'
)


class Echo(WSListener):
    def __init__(self, server: EchoServer, station_id: str) -> None:
        self.server = server
        self.station_id = station_id
        self.transport: WSTransport | None = None

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        self.server.connections[self.station_id] = self

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.server.connections.pop(self.station_id, None)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type is WSMsgType.TEXT:
            data = frame.get_payload_as_bytes()
            end = data.find(b'"', 4)
            if data[1:2] == b"2":  # [2,"<id>",...: a CALL
                transport.send(WSMsgType.TEXT, b"[3," + data[3 : end + 1] + ANSWER)
            else:  # an answer to one of our commands
                waiter = self.server.waiters.pop(data[4:end], None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)
        elif frame.msg_type is WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()


class EchoServer:
    def __init__(self) -> None:
        self.connections: dict[str, Echo] = {}
        self.waiters: dict[bytes, asyncio.Future[None]] = {}
        self._ids = itertools.count(1)

    def upgrade(self, request: WSUpgradeRequest) -> WSUpgradeResponseWithListener:
        station_id = request.path.decode().rsplit("/", 1)[-1]
        response = WSUpgradeResponse.create_101_response(
            extra_headers={"Sec-WebSocket-Protocol": "ocpp1.6"}
        )
        return WSUpgradeResponseWithListener(response, Echo(self, station_id))

    def stations(self) -> list[str]:
        return list(self.connections)

    async def command(self, station_id: str, action: str, n: int) -> None:
        connection = self.connections[station_id]
        assert connection.transport is not None
        unique_id = f"c{next(self._ids)}".encode()
        payload = b'{"connectorId":1,"idTag":"BENCHTAG"}' if action.endswith(
            "StartTransaction"
        ) else b'{"transactionId":%d}' % n
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[unique_id] = waiter
        frame = b'[2,"%b","%b",%b]' % (unique_id, action.encode(), payload)
        connection.transport.send(WSMsgType.TEXT, frame)
        await waiter


async def serve(port: int) -> None:
    echo = EchoServer()
    # the gateway's transport (the loop's own, not aiofastnet's) and read buffer; default backlog
    server = await ws_create_server(
        echo.upgrade, "127.0.0.1", port, read_buffer_init_size=1024, use_aiofastnet=False
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    plan = CommandPlan.from_env()
    driver = loop.create_task(drive_on_signal(plan, echo.stations, echo.command)) if plan else None
    await stop.wait()
    if driver is not None:
        driver.cancel()
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9000)
    uvloop.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()

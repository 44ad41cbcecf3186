"""The OCPP WebSocket server: handshake, connection registry, CSMS-initiated calls.

No business rules and no SQL here: admission asks the in-memory
:class:`~csms.services.StationDirectory`; CALLs go to the version's route table.

Shutdown runs in explicit steps (:meth:`Gateway.stop`): stop accepting, close every
station with 1001 (going away), wait for the sockets to close (bounded), then the
owner cancels what is left and flushes storage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import TypeVar

import msgspec
import structlog
from picows import (
    WSCloseCode,
    WSUpgradeRequest,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
    ws_create_server,
)

from csms.domain import RegistrationStatus
from csms.gateway.connection import StationConnection
from csms.gateway.errors import StationOffline
from csms.gateway.handshake import basic_credentials, station_id_from_path
from csms.handlers.routing import RouteTable
from csms.ocpp import OcppVersion, decode, encode, negotiate
from csms.services import Admission, EventType, Services
from csms.settings import Settings

_log = structlog.get_logger("csms.gateway")
_R = TypeVar("_R", bound=msgspec.Struct)
# Given a plain Logger, picows makes a child Logger per connection (and keeps it for the
# connection's life); an adapter is used as it is: same records, one object for all.
_PICOWS_LOG = logging.LoggerAdapter(logging.getLogger("picows.server"), {})


class Gateway:
    """Accepts stations and owns their connections."""

    def __init__(
        self, settings: Settings, services: Services, routes: Mapping[OcppVersion, RouteTable]
    ) -> None:
        self.settings = settings
        self.services = services
        self.routes = dict(routes)
        self._connections: dict[str, StationConnection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (useful with port 0)."""
        self._server = await ws_create_server(
            self._upgrade,
            host,
            port,
            enable_auto_ping=True,
            auto_ping_idle_timeout=self.settings.ping_interval,
            auto_ping_reply_timeout=self.settings.ping_timeout,
            logger_name=_PICOWS_LOG,
            read_buffer_init_size=1024,
            websocket_handshake_timeout=10,
            max_frame_size=1024 * 1024,
            # the event loop's own TCP transport (uvloop's), not aiofastnet's, picows'
            # default when installed: that one embeds a 256-entry iovec array, 4 KiB in
            # every idle connection, and measured no faster (same instructions per message).
            use_aiofastnet=False,
            backlog=self.settings.listen_backlog,  # a boot storm must not overflow the SYN queue
        )
        bound: int = self._server.sockets[0].getsockname()[1]
        _log.info("gateway.listening", host=host, port=bound)
        return bound

    async def stop(self, timeout: float) -> None:
        """Stop accepting, close every station with 1001, wait up to ``timeout``."""
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections.values()):
            connection.close(WSCloseCode.GOING_AWAY, "csms is shutting down")
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    # -- handshake --------------------------------------------------------------------------
    def _upgrade(self, request: WSUpgradeRequest) -> WSUpgradeResponseWithListener:
        path = request.path.decode("latin-1")
        station_id = station_id_from_path(path)
        if station_id is None:
            return _refuse(HTTPStatus.NOT_FOUND, "expected /ocpp/{stationId}")
        credentials = basic_credentials(request.headers.get("Authorization"))
        if credentials is not None and credentials[0] != station_id:
            return _refuse(HTTPStatus.UNAUTHORIZED, "user name must be the station id", basic=True)
        admission = self.services.directory.admit(station_id, credentials[1] if credentials else None)
        if admission is Admission.UNKNOWN:
            _log.info("gateway.unknown_station_refused", station_id=station_id)
            return _refuse(HTTPStatus.NOT_FOUND, f"unknown station {station_id}")
        if admission is Admission.UNAUTHORIZED:
            _log.info("gateway.unauthorized", station_id=station_id)
            return _refuse(HTTPStatus.UNAUTHORIZED, "bad or missing credentials", basic=True)
        offered = request.headers.get("Sec-WebSocket-Protocol")
        version = negotiate(offered, tuple(self.routes))
        if version is None and offered is None and self._lenient(station_id):
            version = OcppVersion.V16  # old 1.6 firmware that sends no subprotocol at all
        if version is None:
            return _refuse(HTTPStatus.BAD_REQUEST, f"no supported OCPP subprotocol in {offered!r}")
        response = WSUpgradeResponse.create_101_response(
            extra_headers={"Sec-WebSocket-Protocol": version.value} if offered else None
        )
        return WSUpgradeResponseWithListener(response, StationConnection(self, station_id, version))

    def _lenient(self, station_id: str) -> bool:
        entry = self.services.directory.entry(station_id)
        return self.settings.lenient_default or (entry is not None and entry.lenient)

    def is_rejected(self, station_id: str) -> bool:
        entry = self.services.directory.entry(station_id)
        return entry is not None and entry.registration_status is RegistrationStatus.REJECTED

    # -- registry ------------------------------------------------------------------------------
    def attach(self, connection: StationConnection) -> None:
        """A socket is open: it replaces any older socket of the same station."""
        old = self._connections.get(connection.station_id)
        self._connections[connection.station_id] = connection
        self.services.events.publish(
            EventType.STATION_CONNECTED,
            connection.station_id,
            {"ocpp_version": connection.version.value, "replaced": old is not None},
        )
        if old is not None:
            old.log.info("station.replaced_by_new_connection")
            old.close(WSCloseCode.POLICY_VIOLATION, "replaced by a newer connection")
        task = asyncio.get_running_loop().create_task(
            connection.serve(register=self.settings.auto_register)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def detach(self, connection: StationConnection) -> None:
        if self._connections.get(connection.station_id) is connection:
            del self._connections[connection.station_id]
            self.services.events.publish(EventType.STATION_DISCONNECTED, connection.station_id)

    def disconnect(self, station_id: str, reason: str) -> bool:
        """Close the station's socket (1008), e.g. after it was deleted; True if it was open."""
        connection = self._connections.get(station_id)
        if connection is None:
            return False
        connection.close(WSCloseCode.POLICY_VIOLATION, reason)
        return True

    def connected(self) -> list[str]:
        """Ids of the stations connected now."""
        return sorted(self._connections)

    def connection(self, station_id: str) -> StationConnection | None:
        return self._connections.get(station_id)

    # -- CSMS-initiated calls --------------------------------------------------------------
    async def call(
        self,
        station_id: str,
        action: str,
        request: msgspec.Struct,
        response_type: type[_R],
        timeout: float | None = None,
    ) -> _R:
        """Send ``request`` to the station and return its typed answer.

        Raises StationOffline, CommandTimeout or StationCallError (all CommandError).
        A reply that does not validate raises :class:`~csms.ocpp.OcppError`.
        """
        connection = self._connections.get(station_id)
        if connection is None:
            raise StationOffline(f"{station_id} is not connected")
        raw = await connection.call(
            action, encode(request), timeout if timeout is not None else self.settings.call_timeout
        )
        return decode(raw, response_type, lenient=self._lenient(station_id))


def _refuse(status: HTTPStatus, reason: str, *, basic: bool = False) -> WSUpgradeResponseWithListener:
    headers = {"WWW-Authenticate": 'Basic realm="csms", charset="UTF-8"'} if basic else None
    response = WSUpgradeResponse.create_error_response(status, reason.encode(), headers)
    return WSUpgradeResponseWithListener(response, None)

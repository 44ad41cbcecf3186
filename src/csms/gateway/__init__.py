"""Sockets only: accept stations, negotiate, authenticate, pump frames, send calls."""

from csms.gateway.errors import CommandError, CommandTimeout, StationCallError, StationOffline
from csms.gateway.server import Gateway

__all__ = ["CommandError", "CommandTimeout", "Gateway", "StationCallError", "StationOffline"]

"""Thin typed handlers, one per OCPP action per version, and their route tables."""

from __future__ import annotations

from csms.handlers import v16
from csms.handlers.routing import Dispatched, Route, RouteTable, StationContext
from csms.ocpp import OcppVersion


def route_tables() -> dict[OcppVersion, RouteTable]:
    """The route table of every version csms accepts (2.0.1 joins once its handlers exist)."""
    return {OcppVersion.V16: v16.route_table()}


__all__ = ["Dispatched", "Route", "RouteTable", "StationContext", "route_tables"]

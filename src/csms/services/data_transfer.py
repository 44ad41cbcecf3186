"""DataTransfer from stations (OCPP 1.6 §4.3 / §6.17): routed by vendorId.

Vendors register a handler; anything else is answered ``UnknownVendorId`` as the
spec says. A handler returns (status, data).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

VendorHandler = Callable[[str, str | None, str | None], Awaitable[tuple[str, str | None]]]


@dataclass(frozen=True, slots=True)
class DataTransferAnswer:
    status: str  # Accepted | Rejected | UnknownMessageId | UnknownVendorId
    data: str | None = None


class DataTransferService:
    def __init__(self) -> None:
        self._vendors: dict[str, VendorHandler] = {}

    def register(self, vendor_id: str, handler: VendorHandler) -> None:
        """Route DataTransfer with this vendorId to ``handler(station_id, message_id, data)``."""
        self._vendors[vendor_id] = handler

    async def handle(
        self, station_id: str, vendor_id: str, message_id: str | None, data: str | None
    ) -> DataTransferAnswer:
        handler = self._vendors.get(vendor_id)
        if handler is None:
            return DataTransferAnswer("UnknownVendorId")
        status, reply = await handler(station_id, message_id, data)
        return DataTransferAnswer(status, reply)

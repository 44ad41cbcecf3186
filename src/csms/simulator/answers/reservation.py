"""Reservation profile calls (OCPP 1.6 §5.13 ReserveNow, §5.1 CancelReservation)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from csms.ocpp.messages import v16
from csms.simulator.answers.common import Answer, answer, seconds_until, valid_connector
from csms.simulator.state import Connector, Reservation

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation


def reserve_now(station: SimulatedStation, request: v16.ReserveNowRequest) -> Answer:
    """Accepted on a free connector, then status Reserved until expiry or use (§5.13)."""
    status = _reservation_status(station, request)
    if status != "Accepted":
        return answer(v16.ReserveNowResponse(status=status))
    for other in station.connectors.values():  # a known reservationId is replaced
        if other.reservation and other.reservation.reservation_id == request.reservation_id:
            other.reservation = None
    connector = station.connector(request.connector_id)
    reservation = Reservation(
        request.reservation_id,
        request.connector_id,
        request.id_tag,
        request.expiry_date,
        request.parent_id_tag or None,
    )
    connector.reservation = reservation

    async def reserve() -> None:
        await station.send_status(connector.connector_id, "Reserved")
        station.spawn(_expire(station, connector, reservation), "reservation expiry")

    return answer(v16.ReserveNowResponse(status="Accepted"), reserve)


def _reservation_status(
    station: SimulatedStation, request: v16.ReserveNowRequest
) -> v16.ReservationStatus:
    if not valid_connector(station, request.connector_id, zero=False):
        return "Rejected"  # ReserveConnectorZeroSupported is false
    connector = station.connector(request.connector_id)
    reservation = connector.reservation
    if connector.status == "Faulted":
        return "Faulted"
    if not connector.operative:
        return "Unavailable"
    if reservation is not None and reservation.reservation_id == request.reservation_id:
        return "Accepted"
    if connector.transaction is not None or reservation is not None or connector.claimed:
        return "Occupied"
    return "Accepted"


async def _expire(
    station: SimulatedStation, connector: Connector, reservation: Reservation
) -> None:
    await asyncio.sleep(seconds_until(reservation.expiry, station.clock()))
    if connector.reservation is reservation:
        connector.reservation = None
        if connector.transaction is None:
            await station.send_status(connector.connector_id, "Available")


def cancel_reservation(station: SimulatedStation, request: v16.CancelReservationRequest) -> Answer:
    """Accepted for a known reservation, which ends; Rejected otherwise (§5.1)."""
    for connector in station.connectors.values():
        reservation = connector.reservation
        if reservation is not None and reservation.reservation_id == request.reservation_id:
            connector.reservation = None

            async def release(connector: Connector = connector) -> None:
                if connector.transaction is None:
                    status = station.after_transaction(connector)
                    await station.send_status(connector.connector_id, status)

            return answer(v16.CancelReservationResponse(status="Accepted"), release)
    return answer(v16.CancelReservationResponse(status="Rejected"))

"""Reservations (OCPP 1.6 §5.13 ReserveNow, §5.1 CancelReservation, §3.12).

csms assigns the reservationId, stores the reservation Pending before asking the
station, and records its answer (Accepted -> Active, anything else -> Rejected). A
StartTransaction that carries the reservationId marks it Used with the transaction id
(:meth:`ReservationService.use`, called by the transaction service). Expiry is enforced
by :meth:`ReservationService.run`, which the application runs in the background: a
reservation past its expiryDate becomes Expired and its connector counts as free again.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime

import msgspec
import structlog

from csms.domain.operations import Reservation, ReservationStatus
from csms.ocpp.messages import v16
from csms.services.clock import Clock
from csms.services.commands import CommandService
from csms.services.events import EventBus, EventType
from csms.storage import ReservationStore

_log = structlog.get_logger(__name__)
_LIVE = (ReservationStatus.PENDING, ReservationStatus.ACTIVE)


class ReservationError(Exception):
    """A reservation request that cannot be carried out."""


class ReservationNotFound(ReservationError, LookupError):
    pass


class ReservationNotLive(ReservationError):
    """The reservation is no longer Pending or Active."""


class InvalidReservation(ReservationError, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Cancelled:
    status: str  # the station's answer: Accepted | Rejected
    reservation: Reservation


class ReservationService:
    def __init__(
        self,
        store: ReservationStore,
        commands: CommandService,
        events: EventBus,
        clock: Clock,
    ) -> None:
        self._store = store
        self._commands = commands
        self._events = events
        self._clock = clock
        commands.observe(self._answered)

    async def create(
        self,
        station_id: str,
        connector_id: int,
        id_tag: str,
        expiry_date: datetime,
        *,
        parent_id_tag: str | None = None,
        timeout: float | None = None,
    ) -> Reservation:
        """Store a Pending reservation, send ReserveNow, record the answer.

        A failed call (offline, timeout, CALLERROR) marks it Rejected and is re-raised."""
        now = self._clock.now()
        if expiry_date <= now:
            raise InvalidReservation("expiry_date must be in the future")
        if connector_id < 0:
            raise InvalidReservation("connector_id must be 0 or more")
        reservation = await self._store.create(
            station_id, connector_id, id_tag, expiry_date, now, parent_id_tag
        )
        request = v16.ReserveNowRequest(
            connector_id=connector_id,
            expiry_date=expiry_date,
            id_tag=id_tag,
            parent_id_tag=parent_id_tag if parent_id_tag is not None else msgspec.UNSET,
            reservation_id=reservation.id,
        )
        try:
            response = await self._commands.call(
                station_id, request, v16.ReserveNowResponse, timeout
            )
        except Exception as error:
            await self._set(reservation.id, ReservationStatus.REJECTED, type(error).__name__)
            raise
        accepted = response.status == "Accepted"
        status = ReservationStatus.ACTIVE if accepted else ReservationStatus.REJECTED
        return await self._set(reservation.id, status, response.status)

    async def cancel(self, reservation_id: int, *, timeout: float | None = None) -> Cancelled:
        """CancelReservation for a live reservation; Accepted marks it Cancelled."""
        reservation = await self.get(reservation_id)
        if reservation.status not in _LIVE:
            raise ReservationNotLive(f"reservation {reservation_id} is {reservation.status}")
        request = v16.CancelReservationRequest(reservation_id=reservation_id)
        response = await self._commands.call(
            reservation.station_id, request, v16.CancelReservationResponse, timeout
        )
        return Cancelled(response.status, await self.get(reservation_id))

    async def get(self, reservation_id: int) -> Reservation:
        reservation = await self._store.get(reservation_id)
        if reservation is None:
            raise ReservationNotFound(f"no reservation {reservation_id}")
        return reservation

    async def search(
        self,
        station_id: str | None = None,
        status: ReservationStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Reservation]:
        """Newest first."""
        return await self._store.search(station_id, status, limit, offset)

    async def use(self, station_id: str, reservation_id: int, transaction_id: int) -> None:
        """A StartTransaction carried ``reservation_id``: mark it Used (1.6 §5.13)."""
        reservation = await self._store.get(reservation_id)
        if reservation is None or reservation.station_id != station_id:
            _log.warning("reservation.unknown_used", station_id=station_id, id=reservation_id)
            return
        if reservation.status in (*_LIVE, ReservationStatus.EXPIRED):
            updated = await self._store.set_status(
                reservation_id, ReservationStatus.USED, transaction_id=transaction_id
            )
            self._publish(updated)

    async def expire_due(self) -> list[Reservation]:
        """Mark every live reservation past its expiry date Expired."""
        expired = await self._store.expire_due(self._clock.now())
        for reservation in expired:
            self._publish(reservation)
        return expired

    async def run(self, every: float = 1.0) -> None:
        """Enforce expiry until cancelled (owned by the application)."""
        while True:
            try:
                await self.expire_due()
            except Exception as error:
                _log.error("reservation.expiry_failed", error=repr(error))
            await asyncio.sleep(every)

    async def _answered(self, station_id: str, request: object, response: object) -> None:
        """A CancelReservation accepted (from here or the generic command) cancels it here."""
        if not isinstance(request, v16.CancelReservationRequest):
            return
        assert isinstance(response, v16.CancelReservationResponse)
        reservation = await self._store.get(request.reservation_id)
        if (
            response.status == "Accepted"
            and reservation is not None
            and reservation.station_id == station_id
            and reservation.status in _LIVE
        ):
            await self._set(reservation.id, ReservationStatus.CANCELLED, response.status)

    async def _set(self, reservation_id: int, status: ReservationStatus, answer: str) -> Reservation:
        with contextlib.suppress(KeyError):
            updated = await self._store.set_status(reservation_id, status, station_answer=answer)
            self._publish(updated)
            return updated
        return await self.get(reservation_id)

    def _publish(self, reservation: Reservation) -> None:
        self._events.publish(
            EventType.RESERVATION_CHANGED, reservation.station_id, reservation_json(reservation)
        )


def reservation_json(reservation: Reservation) -> dict[str, object]:
    """A reservation as JSON-ready values (events and API)."""
    return {
        "id": reservation.id,
        "station_id": reservation.station_id,
        "connector_id": reservation.connector_id,
        "id_tag": reservation.id_tag,
        "parent_id_tag": reservation.parent_id_tag,
        "expiry_date": reservation.expiry_date.isoformat(),
        "created_at": reservation.created_at.isoformat(),
        "status": reservation.status.value,
        "station_answer": reservation.station_answer,
        "transaction_id": reservation.transaction_id,
    }

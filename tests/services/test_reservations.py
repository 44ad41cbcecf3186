"""Reservations: the station's answer recorded, cancel, expiry, Used by StartTransaction."""

from __future__ import annotations

import pytest

from csms.domain.operations import ReservationStatus
from csms.gateway import StationOffline
from csms.ocpp.messages import v16
from csms.services.events import EventType
from csms.services.reservations import InvalidReservation, ReservationNotFound, ReservationNotLive
from tests.services.command_kit import Kit, hours


async def test_an_accepted_reservation_becomes_active_with_a_csms_assigned_id(kit: Kit) -> None:
    kit.caller.script("ReserveNow", v16.ReserveNowResponse(status="Accepted"))
    expiry = kit.clock.now() + hours(1)
    reservation = await kit.reservations.create("CP1", 1, "T", expiry, parent_id_tag="P")
    assert (reservation.status, reservation.station_answer) == (ReservationStatus.ACTIVE, "Accepted")
    sent = kit.caller.sent[0].request
    assert sent == v16.ReserveNowRequest(
        connector_id=1, expiry_date=expiry, id_tag="T", parent_id_tag="P", reservation_id=reservation.id
    )


async def test_any_other_answer_or_a_failed_call_rejects_it(kit: Kit) -> None:
    kit.caller.script("ReserveNow", v16.ReserveNowResponse(status="Occupied"), StationOffline("gone"))
    expiry = kit.clock.now() + hours(1)
    occupied = await kit.reservations.create("CP1", 1, "T", expiry)
    assert (occupied.status, occupied.station_answer) == (ReservationStatus.REJECTED, "Occupied")
    with pytest.raises(StationOffline):
        await kit.reservations.create("CP1", 1, "T", expiry)
    [failed, _] = await kit.reservations.search("CP1")
    assert (failed.status, failed.station_answer) == (ReservationStatus.REJECTED, "StationOffline")


async def test_a_reservation_must_expire_in_the_future(kit: Kit) -> None:
    with pytest.raises(InvalidReservation):
        await kit.reservations.create("CP1", 1, "T", kit.clock.now())
    assert kit.caller.sent == []


async def test_cancel_accepted_marks_it_cancelled(kit: Kit) -> None:
    kit.caller.script("ReserveNow", v16.ReserveNowResponse(status="Accepted"))
    kit.caller.script("CancelReservation", v16.CancelReservationResponse(status="Accepted"))
    reservation = await kit.reservations.create("CP1", 2, "T", kit.clock.now() + hours(1))
    cancelled = await kit.reservations.cancel(reservation.id)
    assert (cancelled.status, cancelled.reservation.status) == ("Accepted", ReservationStatus.CANCELLED)
    with pytest.raises(ReservationNotLive):
        await kit.reservations.cancel(reservation.id)
    with pytest.raises(ReservationNotFound):
        await kit.reservations.cancel(999)


async def test_cancel_rejected_by_the_station_keeps_it(kit: Kit) -> None:
    kit.caller.script("ReserveNow", v16.ReserveNowResponse(status="Accepted"))
    kit.caller.script("CancelReservation", v16.CancelReservationResponse(status="Rejected"))
    reservation = await kit.reservations.create("CP1", 2, "T", kit.clock.now() + hours(1))
    cancelled = await kit.reservations.cancel(reservation.id)
    assert (cancelled.status, cancelled.reservation.status) == ("Rejected", ReservationStatus.ACTIVE)


async def test_a_generic_cancel_reservation_command_also_cancels_it(kit: Kit) -> None:
    kit.caller.script("ReserveNow", v16.ReserveNowResponse(status="Accepted"))
    kit.caller.script("CancelReservation", v16.CancelReservationResponse(status="Accepted"))
    reservation = await kit.reservations.create("CP1", 2, "T", kit.clock.now() + hours(1))
    await kit.commands.send("CP1", v16.CancelReservationRequest(reservation_id=reservation.id))
    assert (await kit.reservations.get(reservation.id)).status is ReservationStatus.CANCELLED


async def test_expired_reservations_are_marked_and_published(kit: Kit) -> None:
    kit.caller.script("ReserveNow", *[v16.ReserveNowResponse(status="Accepted")] * 2)
    soon = await kit.reservations.create("CP1", 1, "T", kit.clock.now() + hours(1))
    later = await kit.reservations.create("CP1", 2, "T", kit.clock.now() + hours(2))
    kit.clock.advance(3600)
    with kit.events.subscribe(types={EventType.RESERVATION_CHANGED}) as events:
        expired = await kit.reservations.expire_due()
        event = await events.next(0.1)
    assert [r.id for r in expired] == [soon.id]
    assert event is not None
    assert event.data["status"] == "Expired"
    assert (await kit.reservations.get(later.id)).status is ReservationStatus.ACTIVE


async def test_a_start_transaction_with_the_reservation_id_marks_it_used(kit: Kit) -> None:
    kit.caller.script("ReserveNow", v16.ReserveNowResponse(status="Accepted"))
    reservation = await kit.reservations.create("CP1", 1, "T", kit.clock.now() + hours(1))
    await kit.start(1, "T", station="CP2", reservation_id=reservation.id)  # not this station's
    assert (await kit.reservations.get(reservation.id)).status is ReservationStatus.ACTIVE
    transaction_id = await kit.start(1, "T", reservation_id=reservation.id)
    used = await kit.reservations.get(reservation.id)
    assert (used.status, used.transaction_id) == (ReservationStatus.USED, transaction_id)

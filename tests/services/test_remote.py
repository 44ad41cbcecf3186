"""Remote start that returns the transaction id, remote stop that returns the energy,
and the driver's start (free connector, TxProfile for a limit)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from csms.domain import AuthorizationStatus, ConnectorStatus, IdTag
from csms.ocpp.messages import v16
from csms.services.commands import (
    DRIVER_PROFILE_BASE,
    ChargeLimit,
    NoFreeConnector,
    StartRefused,
    TransactionNotActive,
    TransactionNotFound,
    tx_profile,
)
from tests.services.command_kit import Kit, hours

ACCEPTED = v16.RemoteStartTransactionResponse(status="Accepted")


@pytest.fixture(autouse=True)
async def _known_tags(kit: Kit) -> None:
    for tag in ("remote-11902", "T"):
        await kit.stores.id_tags.upsert(IdTag(tag))


@pytest.mark.parametrize("stored", [None, AuthorizationStatus.BLOCKED, AuthorizationStatus.EXPIRED])
async def test_remote_start_for_a_tag_csms_would_not_accept_is_refused_before_sending(
    kit: Kit, stored: AuthorizationStatus | None
) -> None:
    if stored is not None:
        await kit.stores.id_tags.upsert(IdTag("NOPE", stored))
    request = v16.RemoteStartTransactionRequest(connector_id=1, id_tag="NOPE")
    with pytest.raises(StartRefused) as refused:
        await kit.remote.start("CP1", request)
    assert refused.value.status is (stored or AuthorizationStatus.INVALID)
    assert kit.caller.sent == []


def accept_then_start(kit: Kit, connector: int, tag: str, after: float = 0.05) -> Any:
    async def answer(request: v16.RemoteStartTransactionRequest) -> msgspec.Struct:
        kit.later(after, lambda: kit.start(connector, tag))
        return ACCEPTED

    return answer


async def test_remote_start_waits_for_the_transaction_that_follows(kit: Kit) -> None:
    await kit.start(2, "someone-else")  # another session on the station is not it
    kit.caller.script("RemoteStartTransaction", accept_then_start(kit, 1, "remote-11902"))
    request = v16.RemoteStartTransactionRequest(connector_id=1, id_tag="remote-11902")
    result = await kit.remote.start("CP1", request, wait_for_transaction=2)
    assert result.status == "Accepted"
    assert result.transaction_id is not None
    stored = await kit.stores.transactions.get(result.transaction_id)
    assert stored is not None
    assert (stored.evse_id, stored.id_tag) == (1, "remote-11902")
    assert result.connector_id == 1


async def test_remote_start_without_waiting_answers_at_once(kit: Kit) -> None:
    kit.caller.script("RemoteStartTransaction", v16.RemoteStartTransactionResponse(status="Rejected"))
    request = v16.RemoteStartTransactionRequest(id_tag="T")
    result = await kit.remote.start("CP1", request, wait_for_transaction=5)
    assert (result.status, result.transaction_id) == ("Rejected", None)


async def test_remote_start_gives_no_id_when_no_transaction_follows_in_time(kit: Kit) -> None:
    kit.caller.script("RemoteStartTransaction", ACCEPTED)
    request = v16.RemoteStartTransactionRequest(connector_id=1, id_tag="T")
    result = await kit.remote.start("CP1", request, wait_for_transaction=0.05)
    assert (result.status, result.transaction_id) == ("Accepted", None)


async def test_a_dropped_event_is_made_up_for_by_the_store(kit: Kit) -> None:
    async def answer(request: v16.RemoteStartTransactionRequest) -> msgspec.Struct:
        await kit.start(1, "T")  # published before the waiter reads: fine either way
        return ACCEPTED

    kit.caller.script("RemoteStartTransaction", answer)
    with kit.events.subscribe():  # unrelated reader
        result = await kit.remote.start(
            "CP1", v16.RemoteStartTransactionRequest(id_tag="T"), wait_for_transaction=0.05
        )
    assert result.transaction_id is not None


async def test_remote_stop_waits_for_the_stop_and_returns_the_energy(kit: Kit) -> None:
    transaction_id = await kit.start(1, "T")

    async def answer(request: v16.RemoteStopTransactionRequest) -> msgspec.Struct:
        kit.later(0.05, lambda: kit.stop(request.transaction_id, 7379))
        return v16.RemoteStopTransactionResponse(status="Accepted")

    kit.caller.script("RemoteStopTransaction", answer)
    result = await kit.remote.stop_session(transaction_id, wait_for_stop=2)
    assert (result.status, result.stopped, result.energy_wh) == ("Accepted", True, 6379)
    assert result.energy_kwh == pytest.approx(6.379)


async def test_stopping_an_unknown_or_finished_transaction_is_refused(kit: Kit) -> None:
    with pytest.raises(TransactionNotFound):
        await kit.remote.stop_session(404)
    transaction_id = await kit.start(1, "T")
    await kit.stop(transaction_id, 2000)
    with pytest.raises(TransactionNotActive):
        await kit.remote.stop_session(transaction_id)
    assert kit.caller.sent == []


async def test_the_driver_start_picks_a_free_connector_and_attaches_a_tx_profile(kit: Kit) -> None:
    await kit.status(0, ConnectorStatus.AVAILABLE)
    await kit.status(1, ConnectorStatus.CHARGING)
    await kit.status(2, ConnectorStatus.FAULTED)
    await kit.status(3, ConnectorStatus.PREPARING)
    kit.caller.script("RemoteStartTransaction", accept_then_start(kit, 3, "remote-11902"))
    result = await kit.remote.start_session(
        "CP1", "remote-11902", limit=ChargeLimit(16, "A"), wait_for_transaction=2
    )
    assert result.connector_id == 3
    assert result.transaction_id is not None
    sent = kit.caller.sent[0].request
    assert isinstance(sent, v16.RemoteStartTransactionRequest)
    assert sent.connector_id == 3
    assert sent.charging_profile == tx_profile(ChargeLimit(16, "A"), DRIVER_PROFILE_BASE + 3)


def test_a_tx_profile_is_relative_with_one_period_as_in_the_seed() -> None:
    profile = tx_profile(ChargeLimit(7400.04, "W"), 5)
    assert msgspec.to_builtins(profile) == {
        "chargingProfileId": 5,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
        },
    }


async def test_a_busy_or_unknown_connector_is_not_free(kit: Kit) -> None:
    await kit.status(1, ConnectorStatus.AVAILABLE)  # the station has not noticed yet
    await kit.start(1, "other")
    with pytest.raises(NoFreeConnector):
        await kit.remote.start_session("CP1", "T")
    with pytest.raises(NoFreeConnector):
        await kit.remote.start_session("CP9", "T")  # never reported a status
    assert kit.caller.sent == []


async def test_a_connector_reserved_for_someone_else_is_not_free_unless_it_expired(kit: Kit) -> None:
    kit.caller.script("ReserveNow", v16.ReserveNowResponse(status="Accepted"))
    await kit.reservations.create("CP1", 1, "bob", kit.clock.now() + hours(1))
    await kit.status(1, ConnectorStatus.RESERVED)
    assert await kit.remote.free_connector("CP1", "alice") is None
    assert await kit.remote.free_connector("CP1", "bob") == 1
    kit.clock.advance(3601)
    await kit.reservations.expire_due()
    assert await kit.remote.free_connector("CP1", "alice") == 1

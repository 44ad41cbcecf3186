"""Local authorization lists: pushed from csms's tags (Full or only the changes) or as given."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from csms.domain import AuthorizationStatus, IdTag
from csms.domain.operations import LocalListEntry
from csms.ocpp.messages import v16
from tests.services.command_kit import Kit

ACCEPTED = v16.SendLocalListResponse(status="Accepted")


async def test_a_full_push_sends_every_tag_and_is_held_at_version_1(kit: Kit) -> None:
    expired = datetime(2020, 1, 1, tzinfo=UTC)
    await kit.stores.id_tags.upsert(IdTag("B", AuthorizationStatus.BLOCKED))
    await kit.stores.id_tags.upsert(IdTag("A", parent_id_tag="G"))
    await kit.stores.id_tags.upsert(IdTag("OLD", expiry_date=expired))
    kit.caller.script("SendLocalList", ACCEPTED)
    pushed = await kit.local_lists.push("CP1", "Full")
    assert (pushed.status, pushed.list_version, pushed.sent) == ("Accepted", 1, 3)
    sent = kit.caller.sent[0].request
    assert msgspec.to_builtins(sent) == {
        "listVersion": 1,
        "updateType": "Full",
        "localAuthorizationList": [
            {"idTag": "A", "idTagInfo": {"status": "Accepted", "parentIdTag": "G"}},
            {"idTag": "B", "idTagInfo": {"status": "Blocked"}},
            {"idTag": "OLD", "idTagInfo": {"status": "Expired", "expiryDate": "2020-01-01T00:00:00Z"}},
        ],
    }
    assert pushed.held is not None
    assert [e.id_tag for e in pushed.held.entries] == ["A", "B", "OLD"]


async def test_a_differential_push_sends_only_what_changed(kit: Kit) -> None:
    await kit.stores.id_tags.upsert(IdTag("A"))
    await kit.stores.id_tags.upsert(IdTag("B"))
    kit.caller.script("SendLocalList", ACCEPTED, ACCEPTED)
    await kit.local_lists.push("CP1", "Full")
    await kit.stores.id_tags.delete("A")
    await kit.stores.id_tags.upsert(IdTag("B", AuthorizationStatus.BLOCKED))
    await kit.stores.id_tags.upsert(IdTag("C"))
    pushed = await kit.local_lists.push("CP1", "Differential")
    sent = kit.caller.sent[1].request
    assert isinstance(sent, v16.SendLocalListRequest)
    assert [(d.id_tag, d.id_tag_info or None) for d in sent.local_authorization_list or []] == [
        ("B", v16.IdTagInfo(status="Blocked")),
        ("C", v16.IdTagInfo(status="Accepted")),
        ("A", None),
    ]
    assert pushed.list_version == 2
    assert pushed.held is not None
    assert pushed.held.entries == (LocalListEntry("B", "Blocked"), LocalListEntry("C", "Accepted"))


async def test_given_entries_and_version_are_sent_as_they_are(kit: Kit) -> None:
    kit.caller.script("SendLocalList", v16.SendLocalListResponse(status="Failed"))
    pushed = await kit.local_lists.push(
        "CP1", "Full", [LocalListEntry("X", "Accepted")], list_version=42
    )
    assert (pushed.status, pushed.list_version, pushed.held) == ("Failed", 42, None)


async def test_fetch_version_asks_the_station(kit: Kit) -> None:
    kit.caller.script("GetLocalListVersion", v16.GetLocalListVersionResponse(list_version=-1))
    assert await kit.local_lists.fetch_version("CP1") == -1
    held = await kit.local_lists.held("CP1")
    assert held is not None
    assert held.version == -1

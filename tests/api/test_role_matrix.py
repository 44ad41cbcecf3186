"""Who may call what: every part-A endpoint for every role (no key → 401, role → 403)."""

from __future__ import annotations

from typing import Any

import pytest

from csms.app import App
from csms.domain import IdTag
from csms.testing import api_client, issue_key
from tests.api.conftest import DRIVER_OWNER, boot_station

OK = "ok"  # any 2xx or 404 (allowed, whatever the data)

# (method, path, body, {role: expected}) — admin and operator may everything but API keys
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, dict[str, int | str]]] = [
    ("GET", "/api/v1/stations", None, {"driver": OK}),
    ("GET", "/api/v1/stations/CP1", None, {"driver": OK}),
    ("POST", "/api/v1/stations", {"id": "NEW"}, {"driver": 403}),
    ("PATCH", "/api/v1/stations/CP1", {"lenient": True}, {"driver": 403}),
    ("DELETE", "/api/v1/stations/CP9", None, {"driver": 403}),
    ("GET", "/api/v1/stations/CP1/messages", None, {"driver": 403}),
    ("GET", "/api/v1/tags", None, {"driver": OK}),
    ("GET", "/api/v1/tags/MINE", None, {"driver": OK}),
    ("POST", "/api/v1/tags", {"id_tag": "NEW"}, {"driver": 403}),
    ("PATCH", "/api/v1/tags/MINE", {"status": "Blocked"}, {"driver": 403}),
    ("DELETE", "/api/v1/tags/GONE", None, {"driver": 403}),
    ("GET", "/api/v1/transactions", None, {"driver": OK}),
    ("GET", "/api/v1/transactions.csv", None, {"driver": OK}),
    ("GET", "/api/v1/transactions/1", None, {"driver": OK}),
    ("GET", "/api/v1/me", None, {"driver": OK}),
    ("GET", "/api/v1/api-keys", None, {"operator": 403, "driver": 403}),
    ("POST", "/api/v1/api-keys", {"role": "operator"}, {"operator": 403, "driver": 403}),
    ("GET", "/api/v1/api-keys/1", None, {"operator": 403, "driver": 403}),
    ("DELETE", "/api/v1/api-keys/99", None, {"operator": 403, "driver": 403}),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ["anonymous", "driver", "operator", "admin"])
async def test_role_matrix(
    app: App,
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: dict[str, int | str],
) -> None:
    await boot_station(app, "CP1")
    await app.stores.id_tags.upsert(IdTag("MINE", owner=DRIVER_OWNER))
    key = None if role == "anonymous" else await issue_key(app, role, owner=DRIVER_OWNER)
    want = 401 if role == "anonymous" else expected.get(role, OK)
    async with api_client(app, key) as http:
        response = await http.request(method, path, json=body)
    if want == OK:
        assert response.status_code < 300 or response.status_code == 404, response.text
    else:
        assert response.status_code == want, response.text
        assert response.json()["error"] == ("unauthorized" if want == 401 else "forbidden")

"""The upgrade decisions that need no socket: station id, credentials, subprotocol."""

from __future__ import annotations

import base64

import pytest

from csms.gateway.handshake import basic_credentials, station_id_from_path
from csms.ocpp import OcppVersion, negotiate


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ocpp/CP001", "CP001"),
        ("/ocpp/CP%20001", "CP 001"),
        ("/some/prefix/ocpp/CP-7", "CP-7"),
        ("/ocpp/CP1?token=x", "CP1"),
        ("/ocpp/", None),
        ("/", None),
        ("/ocpp/" + "x" * 49, None),
        ("/ocpp/a%2Fb", None),
    ],
)
def test_station_id_is_the_last_path_segment_url_decoded(path: str, expected: str | None) -> None:
    assert station_id_from_path(path) == expected


def test_basic_credentials_are_decoded() -> None:
    token = base64.b64encode(b"CP1:s3cr:et").decode()
    assert basic_credentials(f"Basic {token}") == ("CP1", "s3cr:et")


@pytest.mark.parametrize("header", [None, "", "Bearer abc", "Basic !!!", "Basic " + base64.b64encode(b"nocolon").decode()])
def test_malformed_credentials_are_none(header: str | None) -> None:
    assert basic_credentials(header) is None


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        ("ocpp1.6", OcppVersion.V16),
        ("ocpp2.0.1, ocpp1.6", OcppVersion.V16),
        ("OCPP1.6", OcppVersion.V16),
        ("ocpp1.5", None),
        (None, None),
        ("", None),
    ],
)
def test_subprotocol_is_negotiated_in_the_stations_order(
    offered: str | None, expected: OcppVersion | None
) -> None:
    assert negotiate(offered, (OcppVersion.V16,)) == expected

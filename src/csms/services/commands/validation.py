"""Validate a command against the OCPP schema before anything is sent.

Decoding into the generated Struct *is* schema validation (``csms.ocpp.decode``); this
module adds the JSON path of the offending field, for a useful 422:

    parse("Reset", b'{"type": "Warm"}')  ->  InvalidCommand(field="type", ...)
"""

from __future__ import annotations

import re

import msgspec

from csms.ocpp import OcppError, decode, encode
from csms.services.commands.catalog import COMMANDS

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_NAMED = re.compile(r"(?:field|^) ?`(?P<name>[^`$][^`]*)`")


class InvalidCommand(ValueError):
    """The request breaks the OCPP schema; ``field`` is its JSON path (None: the body)."""

    def __init__(self, message: str, field: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def parse(action: str, body: bytes) -> msgspec.Struct:
    """The typed request of ``action`` from a JSON body; raises InvalidCommand."""
    command = COMMANDS.get(action)
    if command is None:
        raise InvalidCommand(f"{action} is not a command csms sends", None)
    try:
        return decode(body or b"{}", command.request)
    except OcppError as error:
        raise InvalidCommand(error.description, field_of(error.description)) from None


def check(request: msgspec.Struct) -> None:
    """Raise InvalidCommand if a request built in code breaks the schema (e.g. a tag
    longer than 20 characters): Structs are only validated when decoded."""
    action = type(request).__name__.removesuffix("Request")
    parse(action, encode(request))


def field_of(message: str) -> str | None:
    """The JSON path (``a.b[0].c``) a msgspec validation message points at."""
    found = _AT.search(message)
    path = found.group("path").lstrip(".") if found else ""
    head = message[: found.start()] if found else message
    named = _NAMED.search(head) if ("field `" in head or head.startswith("`")) else None
    if named is not None:
        path = f"{path}.{named.group('name')}" if path else named.group("name")
    return path or None

"""Decode a payload into its typed message; map every failure to its OCPP-J error.

Decoding *is* validation: the generated Structs carry the schema's constraints
(see scripts/generate_messages.py and tests/ocpp/test_schema_equivalence.py).

How a msgspec validation failure maps to an OCPP-J 1.6 §4.2.3 error code:

=========================================  =================================
missing required field, array too short/long  OccurenceConstraintViolation
wrong JSON type (incl. null)                  TypeConstraintViolation
bad enum value, length, range, date-time      PropertyConstraintViolation
unknown field, payload not an object          FormationViolation
=========================================  =================================

Lenient mode (per station, for non-compliant chargers): unknown fields are dropped
and reported, and scalars of the wrong JSON type are coerced where msgspec can
(``"1"`` for an integer). Everything else is still refused.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from msgspec import inspect as mi

from csms.ocpp.errors import ErrorKind, OcppError

_S = TypeVar("_S", bound=msgspec.Struct)

_encoder = msgspec.json.Encoder()
encode = _encoder.encode
"""Encode a typed message (or any msgspec-encodable object) to JSON bytes."""


def classify(message: str) -> ErrorKind:
    """The OCPP error kind for a msgspec ValidationError message."""
    if "missing required field" in message or ("of length" in message and "`array`" in message):
        return ErrorKind.OCCURRENCE_CONSTRAINT
    if "unknown field" in message:
        return ErrorKind.FORMATION
    if message.startswith("Expected `object`") and " - at `" not in message:
        return ErrorKind.FORMATION  # the payload itself is not an object
    if message.startswith("Expected `") and ", got `" in message:
        return ErrorKind.TYPE_CONSTRAINT
    return ErrorKind.PROPERTY_CONSTRAINT


def decode(
    payload: bytes | msgspec.Raw,
    cls: type[_S],
    *,
    lenient: bool = False,
    dropped: list[str] | None = None,
) -> _S:
    """Decode and validate ``payload`` as ``cls``; raises :class:`OcppError`.

    With ``lenient``, a payload that fails strict decoding is decoded again leniently
    and the JSON paths of the fields dropped are appended to ``dropped``.
    """
    try:
        return _decoder(cls).decode(payload)
    except msgspec.ValidationError as error:
        if not lenient:
            raise OcppError(classify(str(error)), str(error)) from None
    except msgspec.DecodeError as error:
        raise OcppError(ErrorKind.FORMATION, str(error)) from None
    message, removed = decode_lenient(payload, cls)
    if dropped is not None:
        dropped.extend(removed)
    return message


def decode_lenient(payload: bytes | msgspec.Raw, cls: type[_S]) -> tuple[_S, list[str]]:
    """Decode leniently: returns the message and the JSON paths of the fields dropped."""
    try:
        raw = msgspec.json.decode(payload)
    except msgspec.DecodeError as error:
        raise OcppError(ErrorKind.FORMATION, str(error)) from None
    dropped: list[str] = []
    pruned = _prune(raw, mi.type_info(cls), "$", dropped)
    try:
        return msgspec.convert(pruned, cls, strict=False), dropped
    except msgspec.ValidationError as error:
        raise OcppError(classify(str(error)), str(error)) from None


_decoders: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def _decoder(cls: type[_S]) -> msgspec.json.Decoder[_S]:
    decoder: msgspec.json.Decoder[_S] | None = _decoders.get(cls)
    if decoder is None:
        decoder = _decoders[cls] = msgspec.json.Decoder(cls)
    return decoder


def _prune(value: Any, info: mi.Type, path: str, dropped: list[str]) -> Any:
    """Copy ``value`` without the object fields ``info`` does not know, recursively."""
    if isinstance(info, mi.UnionType):
        struct_like = [t for t in info.types if isinstance(t, mi.StructType | mi.ListType)]
        return _prune(value, struct_like[0], path, dropped) if len(struct_like) == 1 else value
    if isinstance(info, mi.StructType) and isinstance(value, dict):
        fields = {f.encode_name: f.type for f in info.fields}
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if key in fields:
                kept[key] = _prune(item, fields[key], f"{path}.{key}", dropped)
            elif info.forbid_unknown_fields:
                dropped.append(f"{path}.{key}")
            else:
                kept[key] = item
        return kept
    if isinstance(info, mi.ListType) and isinstance(value, list):
        return [_prune(v, info.item_type, f"{path}[{i}]", dropped) for i, v in enumerate(value)]
    if isinstance(info, mi.Metadata):
        return _prune(value, info.type, path, dropped)
    return value

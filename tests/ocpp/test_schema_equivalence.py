"""Decoding with the generated Structs accepts exactly what the official OCPP JSON schemas accept.

For every request and response schema of OCPP 1.6 (incl. the security extension) and 2.0.1 shipped
in the ``ocpp`` package, hypothesis builds payloads from the schema itself:

* valid ones (required members, enums, lengths, bounds, array sizes, date-times, multipleOf), which
  must validate, decode, and re-encode to a payload that validates again with the same JSON names;
* mutated ones (missing required member, unknown member, wrong type incl. null / bool / 1.0 for an
  integer, over-long string, value outside the enum, out-of-range number, too many / too few array
  items, malformed date-time, ...), for which ``msgspec.json.decode(raw, type=Cls)`` must succeed
  exactly when ``fastjsonschema`` accepts ``json.loads(raw)``.

The oracle is fastjsonschema with four explicit choices, each pinned by a test below:

* ``format: date-time`` is checked by ``is_rfc3339_date_time`` (written from the RFC 3339 grammar,
  offset optional because stations often omit it);
* ``format: uri`` is checked by ``is_rfc3986_uri``;
* draft-06 schemas are validated with draft-04 integer semantics (``1.0`` is not an integer), the
  one place where the Structs are deliberately stricter than the schema as written;
* the JSON text is parsed as I-JSON (RFC 7493): no NaN/Infinity, no numbers beyond the double range,
  no lone surrogates.  Two I-JSON rules are *not* modelled and not generated: duplicate member names
  (``json.loads`` keeps the last one, msgspec validates every occurrence) and integers beyond the
  double range in ``number`` fields (msgspec rejects them, the schema accepts them).
"""

from __future__ import annotations

import copy
import datetime
import decimal
import json
import math
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final

import fastjsonschema
import msgspec
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from csms.ocpp.messages import v16, v201

Json = Any
Schema = dict[str, Any]
PathItem = str | int

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
MODULES: Final = {"v16": v16, "v201": v201}
DRAFT_04: Final = "http://json-schema.org/draft-04/schema#"
DRAFT_06: Final = "http://json-schema.org/draft-06/schema#"

_SETTINGS: Final = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)


# --- format checkers (the schema side) --------------------------------------------------------

# RFC 3339 section 5.6:
#   date-fullyear = 4DIGIT; date-month = 2DIGIT; date-mday = 2DIGIT
#   time-hour = 2DIGIT; time-minute = 2DIGIT; time-second = 2DIGIT; time-secfrac = "." 1*DIGIT
#   time-numoffset = ("+" / "-") time-hour ":" time-minute; time-offset = "Z" / time-numoffset
#   partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
#   full-date = date-fullyear "-" date-month "-" date-mday
#   date-time = full-date "T" partial-time time-offset
# with these adjustments, all shared with the decoder:
#   * time-offset is optional (local time, decoded as a naive datetime);
#   * "T" and "Z" may be lower case (the RFC's own NOTE: ABNF strings are case-insensitive), and
#     the RFC's NOTE allowing a space instead of "T" for readability is accepted;
#   * a numeric offset may omit the colon (ISO 8601 basic format, "+0100");
#   * leap seconds (second 60), year 0000 and instants that round (half up, to microseconds) past
#     9999-12-31T23:59:59.999999 are rejected: Python's datetime cannot represent them.
_DATE_TIME_RE: Final = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"[Tt ]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]+))?"
    r"(?:[Zz]|[+-](?P<offset_hour>[0-9]{2}):?(?P<offset_minute>[0-9]{2}))?"
)


def _days_in_month(year: int, month: int) -> int:
    # RFC 3339 appendix C.
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def is_rfc3339_date_time(text: str) -> bool:
    match = _DATE_TIME_RE.fullmatch(text)
    if match is None:
        return False
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return False
    if hour > 23 or minute > 59 or second > 59:
        return False
    if match["offset_hour"] is not None and (
        int(match["offset_hour"]) > 23 or int(match["offset_minute"]) > 59
    ):
        return False
    fraction = match["fraction"]
    if fraction is not None and (year, month, day, hour, minute, second) == (
        9999,
        12,
        31,
        23,
        59,
        59,
    ):
        rounded = decimal.Decimal("0." + fraction).quantize(
            decimal.Decimal("0.000001"), rounding=decimal.ROUND_HALF_UP
        )
        if rounded >= 1:
            return False
    return True


# RFC 3986 absolute URI, in the form the generator enforces for ``format: uri``: a scheme
# (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), ":", then unreserved / reserved characters and
# percent-encodings ("%" HEXDIG HEXDIG).
_URI_CHARS: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?#[]"
)
_HEXDIG: Final = frozenset("0123456789abcdefABCDEF")


def is_rfc3986_uri(text: str) -> bool:
    scheme, colon, rest = text.partition(":")
    if not colon or not scheme or not ("a" <= scheme[0].lower() <= "z"):
        return False
    if any(not (char.isascii() and (char.isalnum() or char in "+-.")) for char in scheme):
        return False
    index = 0
    while index < len(rest):
        if rest[index] == "%":
            if len(rest) < index + 3 or not set(rest[index + 1 : index + 3]) <= _HEXDIG:
                return False
            index += 3
        elif rest[index] in _URI_CHARS:
            index += 1
        else:
            return False
    return True


FORMATS: Final = {"date-time": is_rfc3339_date_time, "uri": is_rfc3986_uri}


# --- the two sides -----------------------------------------------------------------------------


class NotIJson(ValueError):
    """The text is JSON that RFC 7493 (I-JSON) rules out."""


def _reject_constant(name: str) -> Any:
    raise NotIJson(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NotIJson(f"{text} is beyond the double range")
    return value


def _check_unicode(value: Json) -> None:
    if isinstance(value, str):
        if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
            raise NotIJson("lone surrogate")
    elif isinstance(value, list):
        for item in value:
            _check_unicode(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_unicode(key)
            _check_unicode(item)


def load_i_json(raw: bytes) -> Json:
    value = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    _check_unicode(value)
    return value


def compile_oracle(schema: Schema) -> Callable[[Json], Any]:
    # The 1.6 security extension and all 2.0.1 schemas are draft-06, where fastjsonschema (rightly)
    # treats 1.0 as an integer; the Structs decode "integer" as JSON integers only (see the note in
    # the generated modules).  Draft-04 differs from draft-06 only in that rule for the keywords
    # these schemas use ($ref never has siblings; no const/contains/exclusive* keywords), so the
    # oracle validates with draft-04.  test_draft06_integer_deviation pins the difference.
    oracle_schema = {**schema, "$schema": DRAFT_04}
    return fastjsonschema.compile(oracle_schema, formats=FORMATS, use_default=False)


def schema_accepts(validate: Callable[[Json], Any], raw: bytes) -> bool:
    try:
        value = load_i_json(raw)
    except ValueError:
        return False
    try:
        validate(value)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def struct_accepts(cls: type[msgspec.Struct], raw: bytes) -> bool:
    try:
        msgspec.json.decode(raw, type=cls)
    except msgspec.DecodeError:  # ValidationError is a DecodeError
        return False
    return True


# --- schema cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    version: str
    action: str
    kind: str  # "Request" | "Response"
    cls: type[msgspec.Struct]

    @property
    def file_name(self) -> str:
        if self.version == "v16":
            return (
                f"{self.action}.json" if self.kind == "Request" else f"{self.action}Response.json"
            )
        return f"{self.action}{self.kind}.json"

    @property
    def schema(self) -> Schema:
        return load_schema(self.version, self.file_name)

    @property
    def validate(self) -> Callable[[Json], Any]:
        return oracle_for(self.version, self.file_name)

    def __str__(self) -> str:
        return f"{self.version}-{self.action}{self.kind}"


@cache
def load_schema(version: str, file_name: str) -> Schema:
    entry = resources.files("ocpp") / version / "schemas" / file_name
    schema: Schema = json.loads(entry.read_text(encoding="utf-8-sig"))
    return schema


@cache
def oracle_for(version: str, file_name: str) -> Callable[[Json], Any]:
    return compile_oracle(load_schema(version, file_name))


def all_cases() -> list[Case]:
    cases = []
    for version, module in MODULES.items():
        for kind, table in (("Request", module.REQUESTS), ("Response", module.RESPONSES)):
            cases += [Case(version, action, kind, cls) for action, cls in sorted(table.items())]
    return cases


CASES: Final = all_cases()


# --- payload strategies --------------------------------------------------------------------------

_CHARS: Final = st.characters(codec="utf-8")  # every code point except surrogates
_DIGITS: Final = "0123456789"
_RAW_TOKEN: Final = "\x00raw-json:"
_OUT_OF_RANGE: Final = _RAW_TOKEN + "1e400"  # serialised as the bare number 1e400
_MISSING: Final = object()


def _two(value: int) -> str:
    return f"{value:02d}"


@st.composite
def date_time_parts(draw: st.DrawFn) -> list[str]:
    """The components of a valid date-time, in order, so that mutations can replace one."""
    date = draw(st.dates())
    time = draw(st.times())
    digits = draw(st.one_of(st.just(""), st.text(_DIGITS, min_size=1, max_size=9)))
    if (date, time.replace(microsecond=0)) == (datetime.date.max, datetime.time(23, 59, 59)):
        digits = digits[:6]  # would round past the largest datetime
    offset = draw(
        st.one_of(
            st.sampled_from(["", "Z", "z"]),
            st.builds(
                lambda sign, hours, minutes, colon: f"{sign}{_two(hours)}{colon}{_two(minutes)}",
                st.sampled_from("+-"),
                st.integers(0, 23),
                st.integers(0, 59),
                st.sampled_from([":", ":", ""]),
            ),
        )
    )
    return [
        f"{date.year:04d}",
        "-",
        _two(date.month),
        "-",
        _two(date.day),
        draw(st.sampled_from(["T", "T", "t", " "])),
        _two(time.hour),
        ":",
        _two(time.minute),
        ":",
        _two(time.second),
        "." + digits if digits else "",
        offset,
    ]


_SEPARATORS: Final = ["", "/", "-", ":", "--", "T", " "]
# Replacements per component of date_time_parts(): valid and invalid spellings mixed.
_DATE_TIME_VARIANTS: Final = [
    ["0000", "0001", "9999", "2000", "1900", "2024", "202", "20240", "２０２４", "-001"],
    _SEPARATORS,
    ["01", "02", "12", "00", "13", "1", "99", "+1"],
    _SEPARATORS,
    ["01", "28", "29", "30", "31", "32", "00", "1", "٣١"],
    ["T", "t", " ", "_", "", "TT", "  ", "\t", "Z"],
    ["00", "23", "24", "1", "99", "-1"],
    _SEPARATORS,
    ["00", "59", "60", "5"],
    _SEPARATORS,
    ["00", "59", "60", "61", "5", ""],
    ["", ".", ".0", ".5", ".123456", ".1234567", ".9999995", ".99999949", ",5", ".1a", ". 5"],
    [
        *["", "Z", "z", "+00:00", "-00:00", "+01:00", "+0100", "-2359", "+23:59", "+24:00"],
        *["+01:60", "+01", "+1:00", "Z ", "+01:00Z", " Z", "UTC", "\n", "+01:00:00", "-"],
    ],
]


@st.composite
def near_date_times(draw: st.DrawFn) -> str:
    """Valid date-times with zero to three components replaced by other spellings."""
    parts = draw(date_time_parts())
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(parts) - 1))
        parts[index] = draw(st.sampled_from(_DATE_TIME_VARIANTS[index]))
    return "".join(parts)


_URI_TEXT: Final = st.text(sorted(_URI_CHARS - {"%"}), max_size=30)
_URIS: Final = st.builds(
    lambda scheme, rest: f"{scheme}:{rest}",
    st.sampled_from(["ftp", "ftps", "https", "sftp", "coap+tcp", "urn", "x-y.z"]),
    st.one_of(_URI_TEXT, _URI_TEXT.map(lambda text: "//" + text + "/%2Fa%c3%A9")),
)
_NEAR_URIS: Final = st.one_of(
    _URIS,
    st.text(max_size=30),
    st.sampled_from(
        [
            "example.com/diag",
            "//example.com/diag",
            ":nothing",
            "1ftp://x",
            "ftp://x y",
            "ftp://x%2",
            "ftp://x%zz",
            "ftp://é",
            "ftp://x\n",
            "ftp:",
            "h_t://x",
        ]
    ),
)

_SCALARS: Final = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(_CHARS, max_size=8),
)
_ANY_JSON: Final = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(_CHARS, max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

# Values of another JSON type, for each schema type.  1.0 and -2.0 are not integers (draft-04).
_WRONG_TYPES: Final[dict[str, list[Json]]] = {
    "string": [None, True, 0, 1.5, [], {}],
    "integer": [None, True, False, 1.5, 1.0, -2.0, "1", [], {}],
    "number": [None, True, "1.5", "NaN", [], {}],
    "boolean": [None, 0, 1, "true", [], {}],
    "object": [None, [], "x", 1, True],
    "array": [None, {}, "x", 1, True],
}


@dataclass(frozen=True)
class Mutation:
    kind: str
    path: tuple[PathItem, ...]
    value: st.SearchStrategy[Json] | None  # None: delete the member at path
    invalid: bool | None  # what the schema must say about the result (None: not known up front)


class PayloadStrategies:
    """Hypothesis strategies derived from one message schema."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.definitions: Schema = schema.get("definitions", {})
        # Building strategies is costly; the schema nodes live as long as this object.
        self._valid: dict[tuple[int, bool], st.SearchStrategy[Json]] = {}

    def resolve(self, node: Schema) -> Schema:
        while "$ref" in node:
            node = self.definitions[node["$ref"].rsplit("/", 1)[-1]]
        return node

    # -- valid payloads ----------------------------------------------------------------------
    def valid(self, node: Schema, *, full: bool = False) -> st.SearchStrategy[Json]:
        """Valid values; ``full`` ones have every optional member and non-empty arrays, so that
        mutations reach every part of the schema."""
        node = self.resolve(node)
        strategy = self._valid.get((id(node), full))
        if strategy is None:
            strategy = self._valid[(id(node), full)] = self._build_valid(node, full)
        return strategy

    def _build_valid(self, node: Schema, full: bool) -> st.SearchStrategy[Json]:
        if "enum" in node:
            return st.sampled_from(node["enum"])
        kind = node.get("type")
        if kind == "object":
            properties: Schema = node.get("properties", {})
            required = set(node.get("required", [])) | (set(properties) if full else set())
            return st.fixed_dictionaries(
                {
                    key: self.valid(sub, full=full)
                    for key, sub in properties.items()
                    if key in required
                },
                optional={
                    key: self.valid(sub) for key, sub in properties.items() if key not in required
                },
            )
        if kind == "array":
            low = int(node.get("minItems", 0))
            high = min(int(node.get("maxItems", low + 2)), low + 2)
            if full:
                low = max(low, min(high, 1))
            return st.lists(self.valid(node["items"], full=full), min_size=low, max_size=high)
        if kind == "string":
            return self._valid_string(node)
        if kind == "integer":
            low_bound, high_bound = node.get("minimum"), node.get("maximum")
            return st.integers(
                min_value=None if low_bound is None else math.ceil(low_bound),
                max_value=None if high_bound is None else math.floor(high_bound),
            )
        if kind == "number":
            return self._valid_number(node)
        if kind == "boolean":
            return st.booleans()
        if kind is None:
            return _ANY_JSON
        raise AssertionError(f"no strategy for {node}")

    def _valid_string(self, node: Schema) -> st.SearchStrategy[str]:
        if node.get("format") == "date-time":
            return date_time_parts().map("".join)
        if node.get("format") == "uri":
            return _URIS
        if "maxLength" not in node:
            return st.text(_CHARS, max_size=16)
        limit = int(node["maxLength"])
        return st.one_of(
            st.text(_CHARS, max_size=min(limit, 16)),
            # Strings at (or just under) the limit, also made of astral characters: the limit
            # counts code points, not UTF-8 bytes or UTF-16 units.
            st.builds(
                lambda char, size: char * size, _CHARS, st.integers(max(limit - 2, 0), limit)
            ),
        )

    def _valid_number(self, node: Schema) -> st.SearchStrategy[float | int]:
        low_bound, high_bound = node.get("minimum"), node.get("maximum")

        def in_range(value: float) -> bool:
            return (low_bound is None or value >= low_bound) and (
                high_bound is None or value <= high_bound
            )

        if "multipleOf" in node:
            step = decimal.Decimal(repr(node["multipleOf"]))
            return (
                st.integers(-(10**7), 10**7).map(lambda count: float(count * step)).filter(in_range)
            )
        return st.one_of(
            st.floats(
                min_value=low_bound, max_value=high_bound, allow_nan=False, allow_infinity=False
            ),
            st.integers(min_value=-(2**53), max_value=2**53).filter(in_range),
        )

    # -- mutations ---------------------------------------------------------------------------
    def mutations(
        self, node: Schema, value: Json, path: tuple[PathItem, ...]
    ) -> Iterator[Mutation]:
        node = self.resolve(node)
        kind = node.get("type")
        if not path:
            yield Mutation(
                "not-an-object", path, st.sampled_from([[], None, "x", 1, True, 1.5]), True
            )
        elif kind is not None:
            yield Mutation("wrong-type", path, st.sampled_from(_WRONG_TYPES[kind]), True)
        if "enum" in node:
            enum: list[str] = node["enum"]
            outside = [
                variant
                for variant in (
                    *[text.lower() for text in enum],
                    *[text.upper() for text in enum],
                    *[text + " " for text in enum],
                    "",
                    "NotAnEnumValue",
                )
                if variant not in enum
            ]
            yield Mutation("not-in-enum", path, st.sampled_from(outside), True)
        elif kind == "object":
            yield from self._object_mutations(node, value, path)
        elif kind == "array":
            yield from self._array_mutations(node, value, path)
        elif kind == "string":
            yield from self._string_mutations(node, path)
        elif kind in ("integer", "number"):
            yield from self._number_mutations(node, path)

    def _object_mutations(
        self, node: Schema, value: dict[str, Json], path: tuple[PathItem, ...]
    ) -> Iterator[Mutation]:
        properties: Schema = node.get("properties", {})
        for key in node.get("required", []):
            yield Mutation("drop-required", (*path, key), None, True)
        assert "unknownField" not in properties
        closed = node.get("additionalProperties", True) is False
        yield Mutation("unknown-field", (*path, "unknownField"), _ANY_JSON, closed)
        for key, sub in properties.items():
            if key in value:
                yield from self.mutations(sub, value[key], (*path, key))
            else:
                typed = "type" in self.resolve(sub)  # an untyped member (2.0.1 data) takes null
                yield Mutation("null-optional", (*path, key), st.none(), typed)

    def _array_mutations(
        self, node: Schema, value: list[Json], path: tuple[PathItem, ...]
    ) -> Iterator[Mutation]:
        low = int(node.get("minItems", 0))
        if low > 0:
            yield Mutation("too-few-items", path, st.just(value[: low - 1]), True)
        if "maxItems" in node:
            size = int(node["maxItems"]) + 1
            yield Mutation(
                "too-many-items",
                path,
                self.valid(node["items"]).map(lambda item: [item] * size),
                True,
            )
        for index, item in enumerate(value):
            yield from self.mutations(node["items"], item, (*path, index))

    def _string_mutations(self, node: Schema, path: tuple[PathItem, ...]) -> Iterator[Mutation]:
        if node.get("format") == "date-time":
            yield Mutation("date-time", path, near_date_times(), None)
        elif node.get("format") == "uri":
            yield Mutation("uri", path, _NEAR_URIS, None)
        if "maxLength" in node:
            over = int(node["maxLength"]) + 1
            yield Mutation(
                "too-long",
                path,
                st.builds(lambda char, size: char * size, _CHARS, st.integers(over, over + 2)),
                True,
            )
        yield Mutation("lone-surrogate", path, st.sampled_from(["\ud800", "a\udfff"]), True)

    def _number_mutations(self, node: Schema, path: tuple[PathItem, ...]) -> Iterator[Mutation]:
        if "minimum" in node:
            low = node["minimum"]
            yield Mutation("below-minimum", path, st.sampled_from([low - 1, low - 0.5]), True)
        if "maximum" in node:
            high = node["maximum"]
            yield Mutation("above-maximum", path, st.sampled_from([high + 1, high + 0.5]), True)
        if "multipleOf" in node:
            step = decimal.Decimal(repr(node["multipleOf"]))
            yield Mutation(
                "not-a-multiple",
                path,
                st.integers(-(10**6), 10**6).map(lambda count: float(count * step + step / 2)),
                True,
            )
            yield Mutation(
                "any-float", path, st.floats(allow_nan=False, allow_infinity=False), None
            )
        yield Mutation("beyond-double-range", path, st.just(_OUT_OF_RANGE), True)


@cache
def strategies_for(version: str, file_name: str) -> PayloadStrategies:
    return PayloadStrategies(load_schema(version, file_name))


def apply_mutation(payload: Json, path: tuple[PathItem, ...], new: Json) -> Json:
    if not path:
        return new
    result = copy.deepcopy(payload)
    parent = result
    for step in path[:-1]:
        parent = parent[step]
    if new is _MISSING:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return result


def to_raw(payload: Json, *, ascii_only: bool) -> bytes:
    try:
        text = json.dumps(payload, ensure_ascii=ascii_only)
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates can only be written as \u escapes
        text = json.dumps(payload, ensure_ascii=True)
        raw = text.encode("utf-8")
    token = json.dumps(_RAW_TOKEN, ensure_ascii=ascii_only)[1:-1]
    if token.encode("utf-8") in raw:
        raw = re.sub(rb'"' + re.escape(token.encode("utf-8")) + rb'([^"]*)"', rb"\1", raw)
    return raw


def key_tree(value: Json) -> Json:
    """The member names of a JSON value, recursively (scalars and their spelling ignored)."""
    if isinstance(value, dict):
        return {key: key_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [key_tree(item) for item in value]
    return None


# --- the properties ------------------------------------------------------------------------------


def check_valid_payloads(
    cls: type[msgspec.Struct],
    strategies: PayloadStrategies,
    validate: Callable[[Json], Any],
    config: settings = _SETTINGS,
) -> Callable[[], None]:
    @config
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        payload = data.draw(strategies.valid(strategies.schema), label="payload")
        raw = to_raw(payload, ascii_only=data.draw(st.booleans(), label="ascii"))
        assert schema_accepts(validate, raw), f"the valid-payload strategy produced {raw!r}"
        assert struct_accepts(cls, raw), f"schema-valid payload rejected by {cls.__name__}: {raw!r}"
        message = msgspec.json.decode(raw, type=cls)
        encoded = msgspec.json.encode(message)
        assert schema_accepts(validate, encoded), f"re-encoded payload is invalid: {encoded!r}"
        assert msgspec.json.decode(encoded, type=cls) == message
        assert key_tree(json.loads(encoded)) == key_tree(payload), "JSON names did not round-trip"

    return run


def check_mutated_payloads(
    cls: type[msgspec.Struct],
    strategies: PayloadStrategies,
    validate: Callable[[Json], Any],
    config: settings = _SETTINGS,
) -> Callable[[], None]:
    @config
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        full = data.draw(st.booleans(), label="full")
        payload = data.draw(strategies.valid(strategies.schema, full=full), label="payload")
        by_kind: dict[str, list[Mutation]] = {}
        for candidate in strategies.mutations(strategies.schema, payload, ()):
            by_kind.setdefault(candidate.kind, []).append(candidate)
        # Pick the kind first so that rare kinds (multipleOf, bounds) get as many draws as the
        # mutations that every member offers (wrong type, null).
        kind = data.draw(st.sampled_from(sorted(by_kind)), label="kind")
        mutation = data.draw(st.sampled_from(by_kind[kind]), label="mutation")
        new = _MISSING if mutation.value is None else data.draw(mutation.value, label="new value")
        mutated = apply_mutation(payload, mutation.path, new)
        raw = to_raw(mutated, ascii_only=data.draw(st.booleans(), label="ascii"))
        schema_says = schema_accepts(validate, raw)
        event(f"{mutation.kind}: schema {'accepts' if schema_says else 'rejects'}")
        if mutation.invalid is not None:
            assert schema_says is not mutation.invalid, f"mutation {mutation.kind} gave {raw!r}"
        struct_says = struct_accepts(cls, raw)
        assert struct_says == schema_says, (
            f"{cls.__name__} {'accepts' if struct_says else 'rejects'} {raw!r}, "
            f"the schema {'accepts' if schema_says else 'rejects'} it ({mutation.kind})"
        )

    return run


@pytest.mark.parametrize("case", CASES, ids=str)
def test_valid_payloads_decode(case: Case) -> None:
    strategies = strategies_for(case.version, case.file_name)
    check_valid_payloads(case.cls, strategies, case.validate)()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_mutated_payloads_agree(case: Case) -> None:
    strategies = strategies_for(case.version, case.file_name)
    check_mutated_payloads(case.cls, strategies, case.validate)()


# --- coverage and reproducibility ----------------------------------------------------------------


@pytest.mark.parametrize("version", sorted(MODULES))
def test_every_schema_has_a_struct(version: str) -> None:
    directory = resources.files("ocpp") / version / "schemas"
    on_disk = {entry.name for entry in directory.iterdir() if entry.name.endswith(".json")}
    covered = {case.file_name for case in CASES if case.version == version}
    assert covered == on_disk
    assert len(covered) == {"v16": 78, "v201": 128}[version]


def test_generated_modules_are_reproducible(tmp_path: Path) -> None:
    script = REPO_ROOT / "scripts" / "generate_messages.py"
    subprocess.run([sys.executable, str(script), "--out-dir", str(tmp_path)], check=True)
    target = REPO_ROOT / "src" / "csms" / "ocpp" / "messages"
    for name in ("v16.py", "v201.py"):
        assert (tmp_path / name).read_bytes() == (target / name).read_bytes(), (
            f"{name} is stale: run scripts/generate_messages.py"
        )


# --- pinned decisions ------------------------------------------------------------------------------

DATE_TIMES: Final = [
    ("2024-02-29T23:59:59Z", True),
    ("2023-02-29T00:00:00Z", False),
    ("1900-02-29T00:00:00Z", False),
    ("2000-02-29T00:00:00Z", True),
    ("2024-04-31T00:00:00Z", False),
    ("2024-01-01T00:00:00", True),  # no offset: naive
    ("2024-01-01t00:00:00z", True),
    ("2024-01-01 00:00:00+01:00", True),
    ("2024-01-01T00:00:00+0100", True),
    ("2024-01-01T00:00:00+01", False),
    ("2024-01-01T00:00:00.1234567Z", True),  # .NET writes 7 digits
    ("2024-01-01T00:00:00.Z", False),
    ("2024-01-01T00:00:00,5Z", False),
    ("2024-01-01T00:00Z", False),
    ("2024-01-01T24:00:00Z", False),
    ("2016-12-31T23:59:60Z", False),  # leap second: valid RFC 3339, not representable
    ("0000-01-01T00:00:00Z", False),
    ("0001-01-01T00:00:00+01:00", True),
    ("9999-12-31T23:59:59.99999949Z", True),
    ("9999-12-31T23:59:59.9999995Z", False),
    ("2024-01-01T00:00:00+24:00", False),
    ("2024-01-01T00:00:00Z\n", False),
    ("２０２４-01-01T00:00:00Z", False),
]


@pytest.mark.parametrize(("text", "expected"), DATE_TIMES)
def test_date_time_edge_cases(text: str, expected: bool) -> None:
    assert is_rfc3339_date_time(text) is expected
    assert struct_accepts(_DateTimeHolder, json.dumps({"at": text}).encode()) is expected


class _DateTimeHolder(msgspec.Struct, forbid_unknown_fields=True):
    at: datetime.datetime


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(text=near_date_times())
def test_date_time_checker_matches_decoder(text: str) -> None:
    raw = json.dumps({"at": text}).encode()
    assert struct_accepts(_DateTimeHolder, raw) is is_rfc3339_date_time(text), text


def test_draft06_integer_deviation() -> None:
    """Draft-06 says 1.0 is an integer; the Structs (and the oracle) say it is not."""
    schema = load_schema("v201", "BootNotificationResponse.json")
    assert schema["$schema"] == DRAFT_06
    payload = {"currentTime": "2024-01-01T00:00:00Z", "interval": 300.0, "status": "Accepted"}
    as_written = fastjsonschema.compile(schema, formats=FORMATS)
    as_written(payload)  # accepted by draft-06
    raw = json.dumps(payload).encode()
    assert not schema_accepts(oracle_for("v201", "BootNotificationResponse.json"), raw)
    assert not struct_accepts(v201.BootNotificationResponse, raw)
    assert struct_accepts(v201.BootNotificationResponse, raw.replace(b"300.0", b"300"))


def test_decimal_multiple_of() -> None:
    """1.6 charging limits are multiples of 0.1 in decimal, which msgspec's fmod cannot check."""
    validate = oracle_for("v16", "GetCompositeScheduleResponse.json")

    def payload(limit: str) -> bytes:
        schedule = {"chargingRateUnit": "A", "chargingSchedulePeriod": []}
        period = '{"startPeriod":0,"limit":' + limit + "}"
        text = json.dumps({"status": "Accepted", "chargingSchedule": schedule})
        return text.replace("[]", "[" + period + "]").encode()

    for limit, expected in [("16.3", True), ("0.3", True), ("3", True), ("16.35", False)]:
        raw = payload(limit)
        assert schema_accepts(validate, raw) is expected
        assert struct_accepts(v16.GetCompositeScheduleResponse, raw) is expected
    naive = Annotated[float, msgspec.Meta(multiple_of=0.1)]
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b"0.3", type=naive)


# --- the test can fail ---------------------------------------------------------------------------
# Deliberately wrong classes for real schemas; each must be caught by one of the properties.


class _AuthorizeWithoutForbid(msgspec.Struct, omit_defaults=True, kw_only=True, frozen=True):
    id_tag: Annotated[str, msgspec.Meta(max_length=20)] = msgspec.field(name="idTag")


class _AuthorizeWithoutMaxLength(
    msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True, frozen=True
):
    id_tag: str = msgspec.field(name="idTag")


class _StopTransactionResponseNullable(
    msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True, frozen=True
):
    id_tag_info: v16.IdTagInfo | msgspec.UnsetType | None = msgspec.field(
        default=msgspec.UNSET, name="idTagInfo"
    )


class _ResetResponseAnyString(
    msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True, frozen=True
):
    status: str


class _HeartbeatResponseNaiveOnly(
    msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True, frozen=True
):
    current_time: str = msgspec.field(name="currentTime")


class _SchedulePeriodFmod(
    msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True, frozen=True
):
    start_period: int = msgspec.field(name="startPeriod")
    limit: Annotated[float, msgspec.Meta(multiple_of=0.1)]
    number_phases: int | msgspec.UnsetType = msgspec.field(
        default=msgspec.UNSET, name="numberPhases"
    )


def _schedule_period_schema() -> Schema:
    schema = load_schema("v16", "GetCompositeScheduleResponse.json")
    period: Schema = schema["properties"]["chargingSchedule"]["properties"][
        "chargingSchedulePeriod"
    ]["items"]
    return {"$schema": DRAFT_04, **period}


BROKEN: Final = [
    pytest.param(_AuthorizeWithoutForbid, ("v16", "Authorize.json"), id="unknown-fields-allowed"),
    pytest.param(_AuthorizeWithoutMaxLength, ("v16", "Authorize.json"), id="max-length-missing"),
    pytest.param(
        _StopTransactionResponseNullable,
        ("v16", "StopTransactionResponse.json"),
        id="optional-accepts-null",
    ),
    pytest.param(_ResetResponseAnyString, ("v16", "ResetResponse.json"), id="enum-as-str"),
    pytest.param(
        _HeartbeatResponseNaiveOnly, ("v16", "HeartbeatResponse.json"), id="date-time-as-str"
    ),
    pytest.param(_SchedulePeriodFmod, None, id="binary-multiple-of"),
]


@pytest.mark.parametrize(("cls", "source"), BROKEN)
@pytest.mark.parametrize("check", [check_valid_payloads, check_mutated_payloads])
def test_properties_catch_wrong_classes(
    cls: type[msgspec.Struct],
    source: tuple[str, str] | None,
    check: Callable[..., Callable[[], None]],
) -> None:
    schema = _schedule_period_schema() if source is None else load_schema(*source)
    strategies = PayloadStrategies(schema)
    validate = compile_oracle(schema)
    quick = settings(_SETTINGS, max_examples=60, phases=[Phase.generate])
    run = check(cls, strategies, validate, quick)
    # Wrong classes only accept *more* than the schema (the fmod one also less), so the
    # mutation property catches every one of them, the valid-payload property only the fmod one.
    if check is check_mutated_payloads or cls is _SchedulePeriodFmod:
        # The message names the class: a disagreement, not a broken test harness.
        with pytest.raises(AssertionError, match=cls.__name__):
            run()
    else:
        run()

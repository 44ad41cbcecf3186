"""The OCPP 1.6J request and response schemas in the OpenAPI document.

The command endpoints take and return the generated msgspec Structs, which FastAPI does
not know; their JSON schemas (``msgspec.json.schema_components``) are added to
``components.schemas`` as ``ocpp16.<Name>`` by :func:`install_ocpp_schemas`, and each
command operation refers to them (:func:`ref`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from fastapi import FastAPI

from csms.services.commands import COMMANDS

PREFIX = "ocpp16."
_TEMPLATE = "#/components/schemas/" + PREFIX + "{name}"


def ref(struct: type[msgspec.Struct]) -> dict[str, str]:
    """A ``$ref`` to the schema of ``struct`` (a v16 message)."""
    return {"$ref": _TEMPLATE.format(name=struct.__name__)}


@cache
def ocpp_components() -> dict[str, Any]:
    """Every command's request and response schema and the types they use."""
    types = [t for c in COMMANDS.values() for t in (c.request, c.response)]
    _, components = msgspec.json.schema_components(types, ref_template=_TEMPLATE)
    return {PREFIX + name: schema for name, schema in components.items()}


def install_ocpp_schemas(api: FastAPI) -> None:
    """Add the OCPP schemas to ``api``'s OpenAPI document (built once, on first use)."""
    build = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is not None:
            return api.openapi_schema
        document = build()
        document.setdefault("components", {}).setdefault("schemas", {}).update(ocpp_components())
        return document

    api.openapi = openapi  # type: ignore[method-assign]

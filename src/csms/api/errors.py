"""Every error of the REST API is JSON ``{"error": code, "detail": text}``.

    ApiError(status, code, detail, **extra)   raise it from a route or a dependency
    CommandError (csms.gateway)               mapped here, so routes let it propagate:
    ├── StationOffline    -> 409 station_offline
    ├── CommandTimeout    -> 504 station_timeout
    └── StationCallError  -> 502 station_call_error (+ station_error_code, station_error_description)
    OcppError (an answer that does not validate) -> 502 invalid_station_reply
    HTTPException (unknown route 404, 405, ...) -> the same shape
    RequestValidationError -> 422 validation_error, ``detail`` names the field(s)

Routes document their errors with ``responses=error_responses(404, 409)``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from csms.gateway import CommandError, CommandTimeout, StationCallError, StationOffline
from csms.ocpp import OcppError


class ApiError(Exception):
    """An error answer: ``status``, a stable machine ``code`` and a human ``detail``.

    ``extra`` fields are added to the JSON body; ``headers`` to the response."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.extra = extra


def not_found(what: str, key: object) -> ApiError:
    """404 ``{what}_not_found``, e.g. ``not_found("station", "CP1")``."""
    return ApiError(404, f"{what}_not_found", f"unknown {what.replace('_', ' ')} {key}")


def conflict(code: str, detail: str) -> ApiError:
    return ApiError(409, code, detail)


class FieldError(BaseModel):
    field: str = Field(description="where: body.x, query.y or path.z")
    message: str


class ErrorBody(BaseModel):
    """The body of every error answer."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"error": "station_not_found", "detail": "unknown station CP9"}}
    )

    error: str = Field(description="stable machine-readable code")
    detail: str = Field(description="what went wrong, for people")
    fields: list[FieldError] | None = Field(None, description="422 only: each invalid field")
    station_error_code: str | None = Field(None, description="502 only: the station's CallError code")
    station_error_description: str | None = Field(
        None, description="502 only: the station's CallError description"
    )


_EXAMPLES: dict[int, tuple[str, str, str]] = {
    400: ("Bad request", "bad_request", "the request cannot be processed"),
    401: ("No or unknown API key", "unauthorized", "send Authorization: Bearer <API key>"),
    403: ("The key's role may not do this", "forbidden", "role driver may not do this"),
    404: ("Not found", "not_found", "unknown station CP9"),
    409: ("Conflict (exists already, station offline or busy)", "conflict", "station CP1 exists"),
    422: ("Invalid input; `fields` says which", "validation_error", "body.id_tag: String should have at most 20 characters"),
    502: ("The station answered with a CallError", "station_call_error", "NotSupported: unknown action"),
    504: ("The station did not answer in time", "station_timeout", "CP1 did not answer within 30 s"),
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, all with :class:`ErrorBody`."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        description, code, detail = _EXAMPLES.get(
            status, (HTTPStatus(status).phrase, HTTPStatus(status).phrase.lower(), "")
        )
        responses[status] = {
            "model": ErrorBody,
            "description": description,
            "content": {"application/json": {"example": {"error": code, "detail": detail}}},
        }
    return responses


def error_json(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


def command_error_status(error: CommandError) -> ApiError:
    """How a failed CSMS-initiated call reaches an API caller."""
    if isinstance(error, StationCallError):
        return ApiError(
            502,
            "station_call_error",
            f"the station answered with a CallError: {error.code}: {error.description}",
            station_error_code=error.code,
            station_error_description=error.description,
        )
    if isinstance(error, CommandTimeout):
        return ApiError(504, "station_timeout", str(error) or "the station did not answer in time")
    if isinstance(error, StationOffline):
        return ApiError(409, "station_offline", str(error) or "the station is not connected")
    return ApiError(502, "command_failed", str(error) or type(error).__name__)


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def install_error_handlers(api: FastAPI) -> None:
    """Make every error of ``api`` (its own, FastAPI's and Starlette's) the same JSON shape,
    and say so in its OpenAPI document."""
    _document_validation_errors(api)

    @api.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_json(error.status, error.code, error.detail, error.headers, **error.extra)

    @api.exception_handler(CommandError)
    async def command_error(_request: Request, error: CommandError) -> JSONResponse:
        mapped = command_error_status(error)
        return error_json(mapped.status, mapped.code, mapped.detail, **mapped.extra)

    @api.exception_handler(OcppError)
    async def invalid_reply(_request: Request, error: OcppError) -> JSONResponse:
        return error_json(502, "invalid_station_reply", f"the station's answer is invalid: {error}")

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(error.status_code, f"http_{error.status_code}")
        detail = error.detail if isinstance(error.detail, str) else str(error.detail)
        if error.status_code == 404 and detail == "Not Found":
            detail = "no such route; the API is under /api/v1 (see /docs)"
        return error_json(error.status_code, code, detail, dict(error.headers or {}) or None)

    @api.exception_handler(RequestValidationError)
    async def invalid_input(_request: Request, error: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(part) for part in e.get("loc", ())), "message": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "invalid input"
        return error_json(422, "validation_error", detail, fields=fields)


def _document_validation_errors(api: FastAPI) -> None:
    """FastAPI documents its default 422 body; ours is :class:`ErrorBody`."""
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is not None:
            return api.openapi_schema
        schema = generate()
        ours = error_responses(422)[422]
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                response = operation.get("responses", {}).get("422")
                if response is not None and "HTTPValidationError" in str(response):
                    operation["responses"]["422"] = {
                        "description": ours["description"],
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ErrorBody"},
                                "example": ours["content"]["application/json"]["example"],
                            }
                        },
                    }
        components = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" not in str(schema.get("paths")):
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
        api.openapi_schema = schema
        return schema

    api.openapi = openapi  # type: ignore[method-assign]

"""Commands: every OCPP 1.6J CSMS-initiated operation, answered with the station's reply.

One endpoint per action, ``POST /stations/{station_id}/commands/{Action}``, generated
from the command catalog: the body is the OCPP request payload, validated against the
OCPP schema before anything is sent (422 names the field), and the answer is the
station's own CALLRESULT payload. Failures: 404 unknown station, 409 not connected,
504 no answer within ``timeout``, 502 the station answered with a CALLERROR.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from csms.api.auth import StaffKey
from csms.api.deps import ServicesDep
from csms.api.errors import error_responses, not_found
from csms.api.models.commands import EXAMPLES, CommandInfo, CommandResult
from csms.api.ocpp_schemas import ref
from csms.api.operation_errors import invalid_command, operation_errors
from csms.domain.operations import InstalledCertificate
from csms.ocpp.messages import v16
from csms.services import Services
from csms.services.commands import COMMANDS, Command, InvalidCommand, parse

router = APIRouter(tags=["Commands"], responses=error_responses(401, 403))

StationId = Annotated[str, Path(description="the station's id")]
Timeout = Annotated[
    float | None,
    Query(gt=0, le=300, description="seconds to wait for the station's answer (default 30)"),
]
WaitForTransaction = Annotated[
    float,
    Query(
        ge=0,
        le=300,
        description="also wait up to this many seconds for the StartTransaction that "
        "follows, and answer its `transaction_id`",
    ),
]
WaitForStop = Annotated[
    float,
    Query(ge=0, le=300, description="also wait up to this many seconds for the StopTransaction"),
]


async def typed_body(action: str, request: Request) -> msgspec.Struct:
    """The body as the action's typed OCPP request; 422 naming the field if invalid."""
    try:
        return parse(action, await request.body())
    except InvalidCommand as error:
        raise invalid_command(error) from None


async def known_station(services: Services, station_id: str) -> None:
    """404 unless the station is registered: the in-memory directory first (it admits
    stations to connect), the database for one added elsewhere since its last refresh."""
    if services.directory.entry(station_id) is not None:
        return
    if await services.stations.get(station_id) is None:
        raise not_found("station", station_id)


def _answer(result: CommandResult) -> JSONResponse:
    return JSONResponse(result.model_dump(mode="json"))


def _generic(command: Command) -> Callable[..., Awaitable[JSONResponse]]:
    async def send(
        station_id: StationId,
        request: Request,
        _caller: StaffKey,
        services: ServicesDep,
        timeout: Timeout = None,
    ) -> JSONResponse:
        typed = await typed_body(command.action, request)
        await known_station(services, station_id)
        with operation_errors():
            answer = await services.commands.send(station_id, typed, timeout)
        return _answer(CommandResult.of(station_id, command.action, answer))

    return send


async def remote_start(
    station_id: StationId,
    request: Request,
    _caller: StaffKey,
    services: ServicesDep,
    timeout: Timeout = None,
    wait_for_transaction: WaitForTransaction = 0.0,
) -> JSONResponse:
    typed = await typed_body("RemoteStartTransaction", request)
    assert isinstance(typed, v16.RemoteStartTransactionRequest)
    await known_station(services, station_id)
    with operation_errors():
        result = await services.remote.start(
            station_id, typed, timeout=timeout, wait_for_transaction=wait_for_transaction
        )
    return _answer(CommandResult.started(station_id, result))


async def remote_stop(
    station_id: StationId,
    request: Request,
    _caller: StaffKey,
    services: ServicesDep,
    timeout: Timeout = None,
    wait_for_stop: WaitForStop = 0.0,
) -> JSONResponse:
    typed = await typed_body("RemoteStopTransaction", request)
    assert isinstance(typed, v16.RemoteStopTransactionRequest)
    await known_station(services, station_id)
    with operation_errors():
        result = await services.remote.stop(
            station_id, typed.transaction_id, timeout=timeout, wait_for_stop=wait_for_stop
        )
    return _answer(CommandResult.stopped_(station_id, result))


_SPECIAL: dict[str, Callable[..., Awaitable[JSONResponse]]] = {
    "RemoteStartTransaction": remote_start,
    "RemoteStopTransaction": remote_stop,
}
_EXTRA_FIELDS: dict[str, dict[str, Any]] = {
    "RemoteStartTransaction": {
        "transaction_id": {"type": ["integer", "null"]},
        "connector_id": {"type": ["integer", "null"]},
    },
    "RemoteStopTransaction": {
        "transaction_id": {"type": "integer"},
        "stopped": {"type": "boolean"},
        "energy_kwh": {"type": ["number", "null"]},
    },
}


def _openapi(command: Command) -> dict[str, Any]:
    """The operation's request body and answer, as OCPP schemas."""
    answer = {
        "type": "object",
        "required": ["station_id", "action", "status", "response"],
        "properties": {
            "station_id": {"type": "string"},
            "action": {"type": "string", "const": command.action},
            "status": {"type": ["string", "null"], "description": "the answer's status field"},
            "response": {**ref(command.response), "description": "the station's answer"},
            **_EXTRA_FIELDS.get(command.action, {}),
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ref(command.request), "example": EXAMPLES[command.action]}
            },
        },
        "responses": {
            "200": {
                "description": "the station's own answer",
                "content": {"application/json": {"schema": answer}},
            }
        },
    }


def _description(command: Command) -> str:
    return (
        f"OCPP 1.6J **{command.action}** ({command.profile}, {command.section}). The body is "
        f"the OCPP request payload (`{command.request.__name__}`), checked against the OCPP "
        "schema before anything is sent; the answer holds the station's own reply "
        f"(`{command.response.__name__}`)."
    )


for _command in COMMANDS.values():
    router.add_api_route(
        f"/stations/{{station_id}}/commands/{_command.action}",
        _SPECIAL.get(_command.action) or _generic(_command),
        methods=["POST"],
        summary=f"{_command.action}: {_command.summary}",
        description=_description(_command),
        operation_id=f"command_{_command.action}",
        response_model=None,
        responses=error_responses(404, 409, 422, 502, 504),
        openapi_extra=_openapi(_command),
    )


@router.get("/commands", summary="List the commands", response_model=list[CommandInfo])
async def list_commands(_caller: StaffKey) -> list[CommandInfo]:
    """Every OCPP 1.6J operation csms can send to a station, with its endpoint."""
    return [CommandInfo.of(command) for command in COMMANDS.values()]


class CertificatePublic(BaseModel):
    certificate_type: str
    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str
    updated_at: str

    @classmethod
    def of(cls, certificate: InstalledCertificate) -> CertificatePublic:
        return cls(
            certificate_type=certificate.certificate_type,
            hash_algorithm=certificate.hash_algorithm,
            issuer_name_hash=certificate.issuer_name_hash,
            issuer_key_hash=certificate.issuer_key_hash,
            serial_number=certificate.serial_number,
            updated_at=certificate.updated_at.isoformat(),
        )


@router.get(
    "/stations/{station_id}/certificates",
    summary="Installed certificates csms knows of",
    response_model=list[CertificatePublic],
    responses=error_responses(404),
)
async def installed_certificates(
    station_id: StationId, _caller: StaffKey, services: ServicesDep
) -> list[CertificatePublic]:
    """As learnt from GetInstalledCertificateIds, InstallCertificate and DeleteCertificate."""
    await known_station(services, station_id)
    found = await services.commands.installed_certificates(station_id)
    return [CertificatePublic.of(c) for c in found]

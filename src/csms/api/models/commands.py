"""What the command endpoints answer, and example bodies for /docs."""

from __future__ import annotations

from typing import Any

import msgspec
from pydantic import BaseModel, Field

from csms.services.commands import Command, StartResult, StopResult


class CommandResult(BaseModel):
    """The station's own answer to a command."""

    station_id: str
    action: str = Field(examples=["Reset"])
    status: str | None = Field(
        description="the answer's `status` field, when it has one (Accepted, Rejected, ...)",
        examples=["Accepted"],
    )
    response: dict[str, Any] = Field(description="the station's CALLRESULT payload, as sent")
    transaction_id: int | None = Field(
        None,
        description="RemoteStartTransaction with `wait_for_transaction`: the id of the "
        "transaction that started (null if none started in time); RemoteStopTransaction: "
        "the transaction",
    )
    connector_id: int | None = Field(None, description="RemoteStartTransaction: the connector")
    stopped: bool | None = Field(
        None, description="RemoteStopTransaction: the StopTransaction has arrived"
    )
    energy_kwh: float | None = Field(
        None, description="RemoteStopTransaction: energy of the stopped transaction"
    )

    @classmethod
    def of(cls, station_id: str, action: str, answer: msgspec.Struct) -> CommandResult:
        payload = msgspec.to_builtins(answer)
        status = payload.get("status") if isinstance(payload, dict) else None
        return cls(station_id=station_id, action=action, status=status, response=payload)

    @classmethod
    def started(cls, station_id: str, result: StartResult) -> CommandResult:
        answer = cls.of(station_id, "RemoteStartTransaction", result.response)
        answer.transaction_id, answer.connector_id = result.transaction_id, result.connector_id
        return answer

    @classmethod
    def stopped_(cls, station_id: str, result: StopResult) -> CommandResult:
        answer = cls.of(station_id, "RemoteStopTransaction", result.response)
        answer.transaction_id, answer.stopped = result.transaction_id, result.stopped
        answer.energy_kwh = result.energy_kwh
        return answer


class CommandInfo(BaseModel):
    action: str
    profile: str = Field(description="OCPP 1.6 feature profile, or the security extension")
    section: str = Field(description="where the specification describes it")
    summary: str
    path: str = Field(description="POST here with the OCPP request as the body")

    @classmethod
    def of(cls, command: Command) -> CommandInfo:
        return cls(
            action=command.action,
            profile=command.profile,
            section=command.section,
            summary=command.summary,
            path=f"/api/v1/stations/{{station_id}}/commands/{command.action}",
        )


_PEM = "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"
_HASH = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "d3df90230f33091bd4b54bb0a869184af648861604c7be3f95c173dc22d8153e",
    "issuerKeyHash": "a30b22ffdfbed85d332e8d085fb65ea56e8dfef29adc037aa7d826f297f22446",
    "serialNumber": "69fbeda307f4eb4cdc3878f50288ba7adb1e491b",
}
_TX_PROFILE = {
    "chargingProfileId": 1,
    "stackLevel": 1,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
    },
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "CancelReservation": {"reservationId": 1},
    "ChangeAvailability": {"connectorId": 1, "type": "Inoperative"},
    "ChangeConfiguration": {"key": "MeterValueSampleInterval", "value": "30"},
    "ClearCache": {},
    "ClearChargingProfile": {"connectorId": 1, "chargingProfilePurpose": "TxProfile"},
    "DataTransfer": {"vendorId": "com.example", "messageId": "ping", "data": "{}"},
    "GetCompositeSchedule": {"connectorId": 1, "duration": 3600, "chargingRateUnit": "A"},
    "GetConfiguration": {"key": ["HeartbeatInterval", "MeterValueSampleInterval"]},
    "GetDiagnostics": {"location": "ftp://diag.example.com/uploads/"},
    "GetLocalListVersion": {},
    "RemoteStartTransaction": {"connectorId": 1, "idTag": "remote-11902", "chargingProfile": _TX_PROFILE},
    "RemoteStopTransaction": {"transactionId": 1},
    "ReserveNow": {
        "connectorId": 1, "expiryDate": "2030-01-01T12:00:00Z", "idTag": "remote-11902",
        "reservationId": 1,
    },
    "Reset": {"type": "Soft"},
    "SendLocalList": {
        "listVersion": 1, "updateType": "Full",
        "localAuthorizationList": [{"idTag": "remote-11902", "idTagInfo": {"status": "Accepted"}}],
    },
    "SetChargingProfile": {"connectorId": 1, "csChargingProfiles": {**_TX_PROFILE, "transactionId": 1}},
    "TriggerMessage": {"requestedMessage": "StatusNotification", "connectorId": 1},
    "UnlockConnector": {"connectorId": 1},
    "UpdateFirmware": {"location": "https://fw.example.com/v2.bin", "retrieveDate": "2030-01-01T00:00:00Z"},
    "CertificateSigned": {"certificateChain": _PEM},
    "DeleteCertificate": {"certificateHashData": _HASH},
    "ExtendedTriggerMessage": {"requestedMessage": "SignChargePointCertificate"},
    "GetInstalledCertificateIds": {"certificateType": "CentralSystemRootCertificate"},
    "GetLog": {
        "log": {"remoteLocation": "https://logs.example.com/upload"}, "logType": "SecurityLog",
        "requestId": 1,
    },
    "InstallCertificate": {"certificateType": "CentralSystemRootCertificate", "certificate": _PEM},
    "SignedUpdateFirmware": {
        "requestId": 1,
        "firmware": {
            "location": "https://fw.example.com/v2.bin", "retrieveDateTime": "2030-01-01T00:00:00Z",
            "signingCertificate": _PEM, "signature": "MEUCIQ...",
        },
    },
}

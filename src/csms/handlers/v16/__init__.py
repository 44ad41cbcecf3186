"""OCPP 1.6J handlers and their route table: every station -> CSMS action of the Core,
Firmware Management and security-extension profiles."""

from __future__ import annotations

from typing import Any

from csms.handlers.routing import Route, RouteTable
from csms.handlers.v16 import core, security, transactions
from csms.ocpp import OcppVersion
from csms.ocpp.messages import v16


def route_table() -> RouteTable:
    """Action -> handler for OCPP 1.6J. Actions defined by 1.6 but sent only by a CSMS
    (e.g. Reset) are answered NotSupported; anything else NotImplemented."""
    routes: dict[str, Route[Any, Any]] = {
        "Authorize": Route(v16.AuthorizeRequest, core.authorize),
        "BootNotification": Route(v16.BootNotificationRequest, core.boot_notification),
        "DataTransfer": Route(v16.DataTransferRequest, core.data_transfer),
        "DiagnosticsStatusNotification": Route(
            v16.DiagnosticsStatusNotificationRequest, core.diagnostics_status_notification
        ),
        "FirmwareStatusNotification": Route(
            v16.FirmwareStatusNotificationRequest, core.firmware_status_notification
        ),
        "Heartbeat": Route(v16.HeartbeatRequest, core.heartbeat),
        "MeterValues": Route(v16.MeterValuesRequest, transactions.meter_values),
        "StartTransaction": Route(v16.StartTransactionRequest, transactions.start_transaction),
        "StatusNotification": Route(v16.StatusNotificationRequest, core.status_notification),
        "StopTransaction": Route(v16.StopTransactionRequest, transactions.stop_transaction),
        "SecurityEventNotification": Route(
            v16.SecurityEventNotificationRequest, security.security_event_notification
        ),
        "SignCertificate": Route(v16.SignCertificateRequest, security.sign_certificate),
        "LogStatusNotification": Route(
            v16.LogStatusNotificationRequest, security.log_status_notification
        ),
        "SignedFirmwareStatusNotification": Route(
            v16.SignedFirmwareStatusNotificationRequest,
            security.signed_firmware_status_notification,
        ),
    }
    return RouteTable(OcppVersion.V16, routes, defined=v16.REQUESTS)

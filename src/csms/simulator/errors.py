"""The simulator's exceptions.

Exception tree::

    SimulatorError                  anything the simulated station could not do
    ├── ConnectFailed               the WebSocket handshake failed (refused, 401, no subprotocol)
    ├── ConnectionLost              the socket closed while a call was pending, or is closed
    ├── CallTimeout                 the central system did not answer a call in time
    ├── CallErrorReceived           the central system answered a call with a CALLERROR
    └── ScenarioFailed              a scenario step did not succeed
        ├── BootRejected            BootNotification not Accepted after every attempt (1.6 §4.2)
        └── TransactionRejected     Authorize/StartTransaction idTagInfo not Accepted
"""

from __future__ import annotations

from typing import Any


class SimulatorError(Exception):
    """Base class: the simulated station could not do what it was asked."""


class ConnectFailed(SimulatorError):
    """The WebSocket connection could not be opened; ``status`` is the HTTP status if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ConnectionLost(SimulatorError):
    """The connection is gone; calls pending on it will never be answered."""


class CallTimeout(SimulatorError):
    """No CALLRESULT/CALLERROR arrived before the call's deadline (OCPP-J 1.6 §4.1.1)."""


class CallErrorReceived(SimulatorError):
    """The central system answered with a CALLERROR (OCPP-J 1.6 §4.2.3)."""

    def __init__(self, action: str, code: str, description: str, details: dict[str, Any]) -> None:
        super().__init__(f"{action}: {code} {description}".rstrip())
        self.action = action
        self.code = code
        self.description = description
        self.details = details


class ScenarioFailed(SimulatorError):
    """A scenario could not complete; the message says which step failed."""


class BootRejected(ScenarioFailed):
    """The central system did not accept the BootNotification (OCPP 1.6 §4.2)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"BootNotification not accepted: {status}")
        self.status = status


class TransactionRejected(ScenarioFailed):
    """An id tag was not accepted for a transaction (OCPP 1.6 §4.1, §4.8)."""

    def __init__(self, id_tag: str, status: str) -> None:
        super().__init__(f"id tag {id_tag!r} not accepted: {status}")
        self.id_tag = id_tag
        self.status = status

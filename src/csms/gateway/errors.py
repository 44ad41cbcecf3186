"""Why a CSMS-initiated call failed.

    CommandError
    ├── StationOffline        no open connection to the station (now, or it closed mid-call)
    ├── CommandTimeout        the station did not answer in time
    └── StationCallError      the station answered with a CALLERROR (code, description)
"""

from __future__ import annotations

from typing import Any


class CommandError(Exception):
    """A call to a station did not produce a CALLRESULT."""


class StationOffline(CommandError):
    pass


class CommandTimeout(CommandError):
    pass


class StationCallError(CommandError):
    def __init__(self, code: str, description: str, details: dict[str, Any]) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.details = details

"""What every answer is made of, and the checks the handlers share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from csms.simulator.station import SimulatedStation

FollowUp = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Answer:
    """The response to send, a word for the event log, and what to do once it is sent."""

    response: msgspec.Struct
    summary: str
    then: FollowUp | None = None


def answer(response: msgspec.Struct, then: FollowUp | None = None) -> Answer:
    """An answer summarised by its ``status``."""
    return Answer(response, str(getattr(response, "status", "answered")), then)


def valid_connector(station: SimulatedStation, connector_id: int, *, zero: bool = True) -> bool:
    """Whether the station has this connector (0, the station itself, only if ``zero``)."""
    return (0 if zero else 1) <= connector_id <= station.config.connectors


def seconds_until(when: datetime, now: datetime) -> float:
    return max(0.0, (when - now).total_seconds())

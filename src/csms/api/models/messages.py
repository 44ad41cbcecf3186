"""The per-station OCPP message log as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from csms.domain import Direction, OcppMessage


class MessagePublic(BaseModel):
    id: int | None = Field(description="increases in arrival order")
    at: datetime
    direction: Direction = Field(description="`in`: station → csms, `out`: csms → station")
    action: str | None = Field(description="the OCPP action (also on answers to a CALL)")
    message_id: str | None = Field(description="the OCPP-J message id")
    frame: str = Field(description="the raw OCPP-J frame as sent", examples=['[2,"19","Heartbeat",{}]'])

    @classmethod
    def of(cls, message: OcppMessage) -> MessagePublic:
        return cls(
            id=message.id,
            at=message.at,
            direction=message.direction,
            action=message.action,
            message_id=message.message_id,
            frame=message.frame,
        )

"""CSMS-initiated operations (OCPP 1.6 §5 and the security extension), synchronous:
every command returns the station's own answer or raises why there is none."""

from csms.services.commands.catalog import COMMANDS, Command
from csms.services.commands.port import LateBoundCaller, StationCaller
from csms.services.commands.remote import (
    DRIVER_PROFILE_BASE,
    ChargeLimit,
    NoFreeConnector,
    RemoteControl,
    SessionError,
    StartRefused,
    StartResult,
    StopResult,
    TransactionNotActive,
    TransactionNotFound,
    tx_profile,
)
from csms.services.commands.service import CommandService, UnknownCommand, action_of
from csms.services.commands.validation import InvalidCommand, check, field_of, parse

__all__ = [
    "COMMANDS",
    "DRIVER_PROFILE_BASE",
    "ChargeLimit",
    "Command",
    "CommandService",
    "InvalidCommand",
    "LateBoundCaller",
    "NoFreeConnector",
    "RemoteControl",
    "SessionError",
    "StartRefused",
    "StartResult",
    "StationCaller",
    "StopResult",
    "TransactionNotActive",
    "TransactionNotFound",
    "UnknownCommand",
    "action_of",
    "check",
    "field_of",
    "parse",
    "tx_profile",
]

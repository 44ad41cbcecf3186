"""The station's configuration keys (OCPP 1.6 §9; §5.3 ChangeConfiguration, §5.8 GetConfiguration).

Holds the 1.6 standard keys with their read-only flags and value types. ``change``
validates a new value the way a real station does and answers with the
ConfigurationStatus a ChangeConfiguration.conf carries: ``Accepted``, ``Rejected``
(read-only or an invalid value) or ``NotSupported`` (unknown key). Observers registered
with ``on_change`` learn of every accepted change (the station restarts its heartbeat
and meter timers from there).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import get_args

from csms.ocpp.messages import v16

MEASURANDS = frozenset(get_args(v16.Measurand))
"""The Measurand values of OCPP 1.6 §7.31."""

DEFAULT_SAMPLED_DATA = (
    "Voltage,Current.Import,Power.Active.Import,Current.Offered,Energy.Active.Import.Register"
)
MAX_VALUE_LENGTH = 500  # ChangeConfiguration.req value: CiString500Type
MAX_KEYS = 50  # GetConfigurationMaxKeys


class Kind(enum.Enum):
    """How a key's value is validated."""

    INT = "integer"
    BOOL = "boolean"
    MEASURANDS = "measurand list"
    TEXT = "string"


@dataclass(slots=True)
class Key:
    """One configuration key (OCPP 1.6 §7.18 KeyValue)."""

    name: str
    value: str
    kind: Kind
    readonly: bool = False


ChangeListener = Callable[[str, str], None]


def standard_keys(connectors: int, heartbeat_interval: float, meter_interval: float) -> list[Key]:
    """The Core, Local Auth List, Reservation and Smart Charging keys of OCPP 1.6 §9.

    Intervals are integers in the spec; fractions of a second (for fast tests) are kept
    as written (``0.05``) so that the station can honour them.
    """
    rw, ro = False, True
    return [
        Key("AllowOfflineTxForUnknownId", "false", Kind.BOOL, rw),
        Key("AuthorizationCacheEnabled", "true", Kind.BOOL, rw),
        Key("AuthorizeRemoteTxRequests", "false", Kind.BOOL, rw),
        Key("ClockAlignedDataInterval", "0", Kind.INT, rw),
        Key("ConnectionTimeOut", "60", Kind.INT, rw),
        Key("ConnectorPhaseRotation", "0.RST", Kind.TEXT, rw),
        Key("GetConfigurationMaxKeys", str(MAX_KEYS), Kind.INT, ro),
        Key("HeartbeatInterval", f"{heartbeat_interval:g}", Kind.INT, rw),
        Key("LocalAuthorizeOffline", "true", Kind.BOOL, rw),
        Key("LocalPreAuthorize", "false", Kind.BOOL, rw),
        Key("MeterValuesAlignedData", "", Kind.MEASURANDS, rw),
        Key("MeterValuesSampledData", DEFAULT_SAMPLED_DATA, Kind.MEASURANDS, rw),
        Key("MeterValueSampleInterval", f"{meter_interval:g}", Kind.INT, rw),
        Key("NumberOfConnectors", str(connectors), Kind.INT, ro),
        Key("ResetRetries", "3", Kind.INT, rw),
        Key("StopTransactionOnEVSideDisconnect", "true", Kind.BOOL, rw),
        Key("StopTransactionOnInvalidId", "true", Kind.BOOL, rw),
        Key("StopTxnAlignedData", "", Kind.MEASURANDS, rw),
        Key("StopTxnSampledData", "Energy.Active.Import.Register", Kind.MEASURANDS, rw),
        Key(
            "SupportedFeatureProfiles",
            "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,"
            "RemoteTrigger",
            Kind.TEXT,
            ro,
        ),
        Key("TransactionMessageAttempts", "3", Kind.INT, rw),
        Key("TransactionMessageRetryInterval", "60", Kind.INT, rw),
        Key("UnlockConnectorOnEVSideDisconnect", "true", Kind.BOOL, rw),
        Key("WebSocketPingInterval", "0", Kind.INT, rw),
        Key("LocalAuthListEnabled", "true", Kind.BOOL, rw),
        Key("LocalAuthListMaxLength", "100", Kind.INT, ro),
        Key("SendLocalListMaxLength", "100", Kind.INT, ro),
        Key("ReserveConnectorZeroSupported", "false", Kind.BOOL, ro),
        Key("ChargeProfileMaxStackLevel", "10", Kind.INT, ro),
        Key("ChargingScheduleAllowedChargingRateUnit", "Current,Power", Kind.TEXT, ro),
        Key("ChargingScheduleMaxPeriods", "24", Kind.INT, ro),
        Key("MaxChargingProfilesInstalled", "10", Kind.INT, ro),
    ]


class ConfigurationStore:
    """Configuration keys by name, case-sensitive as in the spec."""

    def __init__(self, keys: Iterable[Key]) -> None:
        self._keys = {key.name: key for key in keys}
        self._listeners: list[ChangeListener] = []

    def on_change(self, listener: ChangeListener) -> None:
        """Call ``listener(name, value)`` after every accepted change."""
        self._listeners.append(listener)

    def get(self, name: str) -> Key | None:
        return self._keys.get(name)

    def value(self, name: str) -> str:
        """The value of a known key; raises KeyError for an unknown one."""
        return self._keys[name].value

    def get_int(self, name: str) -> int:
        return int(self.value(name))

    def get_bool(self, name: str) -> bool:
        return self.value(name).lower() == "true"

    def get_list(self, name: str) -> list[str]:
        return [item.strip() for item in self.value(name).split(",") if item.strip()]

    def lookup(self, names: Iterable[str] | None) -> tuple[list[Key], list[str]]:
        """GetConfiguration (1.6 §5.8): the known keys asked for (all if None) and the unknown."""
        if names is None:
            return list(self._keys.values()), []
        wanted = list(names)
        known = [self._keys[name] for name in wanted if name in self._keys]
        return known, [name for name in wanted if name not in self._keys]

    def change(self, name: str, value: str) -> v16.ConfigurationStatus:
        """ChangeConfiguration (1.6 §5.3): ``Accepted``, ``Rejected`` or ``NotSupported``."""
        key = self._keys.get(name)
        if key is None:
            return "NotSupported"
        if key.readonly or not _valid(key.kind, value):
            return "Rejected"
        key.value = value.strip().lower() if key.kind is Kind.BOOL else value.strip()
        for listener in self._listeners:
            listener(name, key.value)
        return "Accepted"

    def set(self, name: str, value: str) -> None:
        """Set a value from the station itself (read-only keys included), notifying listeners."""
        self._keys[name].value = value
        for listener in self._listeners:
            listener(name, value)


def _valid(kind: Kind, value: str) -> bool:
    text = value.strip()
    if len(value) > MAX_VALUE_LENGTH:
        return False
    if kind is Kind.INT:
        return text.isdigit()
    if kind is Kind.BOOL:
        return text.lower() in {"true", "false"}
    if kind is Kind.MEASURANDS:
        items = [item.strip() for item in text.split(",") if item.strip()]
        return all(item in MEASURANDS for item in items)
    return True

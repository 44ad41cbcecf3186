"""What the simulated station knows about its connectors, transactions and reservations.

Connector ids follow OCPP 1.6 §3.6: 0 is the station as a whole, 1..n the connectors.
Statuses are the ChargePointStatus values of 1.6 §7.7; a connector goes
Available → Preparing → Charging → Finishing → Available over a transaction (§4.9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from csms.ocpp.messages import v16
from csms.simulator.meter import EnergyMeter


@dataclass(slots=True)
class Transaction:
    """A transaction on one connector.

    ``transaction_id`` is the central system's id (1.6 §6.47). While a StartTransaction
    waits in the offline queue it is a provisional negative number, replaced when the
    central system answers; ``confirmed`` tells which.
    """

    connector_id: int
    id_tag: str
    meter_start: int
    started_at: datetime
    transaction_id: int
    confirmed: bool = False
    reservation_id: int | None = None
    charging_profile: v16.ChargingProfile | None = None  # kept from RemoteStartTransaction
    meter_start_wh: float = 0.0  # the register at start, unrounded
    meter_values_sent: int = 0
    stopping: bool = False
    meter_stop: int | None = None
    energy_wh: float = 0.0  # delivered, from the unrounded register
    stop_reason: v16.Reason | None = None


@dataclass(slots=True)
class Reservation:
    """A reservation made by ReserveNow (1.6 §5.13)."""

    reservation_id: int
    connector_id: int
    id_tag: str
    expiry: datetime
    parent_id_tag: str | None = None


@dataclass(slots=True)
class Connector:
    """One connector (or, with id 0, the station as a whole)."""

    connector_id: int
    meter: EnergyMeter = field(default_factory=EnergyMeter)
    status: v16.ChargePointStatus = "Available"
    error_code: v16.ChargePointErrorCode = "NoError"
    operative: bool = True
    scheduled_operative: bool | None = None  # ChangeAvailability answered Scheduled (§5.2)
    transaction: Transaction | None = None
    reservation: Reservation | None = None
    claimed: bool = False  # a remote start is on its way here
    profiles: dict[int, v16.ChargingProfile] = field(default_factory=dict)  # by chargingProfileId

    @property
    def is_free(self) -> bool:
        """Operative, no transaction, no reservation: a transaction may start here."""
        return (
            self.operative
            and self.transaction is None
            and self.reservation is None
            and not self.claimed
            and self.status != "Faulted"
        )

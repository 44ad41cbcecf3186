"""The tariff editor: a posted form to a :class:`TariffSpec` and back (prices, idle
grace, minimum/maximum, tax, and the time-of-use periods as rows of the form)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation

from csms.domain.billing import TariffSpec, TimeOfUsePeriod

PERIOD_ROWS = 4  # empty rows offered for new periods
DAYS = (1, 2, 3, 4, 5, 6, 7)


class TariffInputError(ValueError):
    """A field of the tariff form is wrong: ``field`` says which."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


@dataclass(frozen=True, slots=True)
class PeriodRow:
    name: str = ""
    days: frozenset[int] = frozenset()
    start: str = ""
    end: str = ""
    energy_per_kwh: str = ""
    charging_per_minute: str = ""
    idle_per_minute: str = ""


def _decimal(form: dict[str, str], name: str, *, optional: bool = False) -> Decimal | None:
    raw = form.get(name, "").strip().replace(",", ".")
    if not raw:
        return None if optional else Decimal(0)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise TariffInputError(name, "not a number") from None
    if not value.is_finite() or value < 0:
        raise TariffInputError(name, "must be 0 or more")
    return value


def _time(raw: str, field: str) -> time:
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise TariffInputError(field, "not a time (HH:MM)") from None


def spec_from_form(form: dict[str, str], zone: str) -> TariffSpec:
    periods = []
    for index in range(int(form.get("period_rows", "0") or 0)):
        prefix = f"p{index}_"
        name = form.get(prefix + "name", "").strip()
        if not name:
            continue
        days = frozenset(d for d in DAYS if form.get(f"{prefix}d{d}"))
        try:
            periods.append(
                TimeOfUsePeriod(
                    name,
                    days,
                    _time(form.get(prefix + "start", ""), prefix + "start"),
                    _time(form.get(prefix + "end", ""), prefix + "end"),
                    _decimal(form, prefix + "energy", optional=True),
                    _decimal(form, prefix + "charging", optional=True),
                    _decimal(form, prefix + "idle", optional=True),
                )
            )
        except ValueError as error:
            if isinstance(error, TariffInputError):
                raise
            raise TariffInputError(prefix + "name", str(error)) from None
    try:
        return TariffSpec(
            currency=form.get("currency", "").strip().upper(),
            energy_per_kwh=_decimal(form, "energy_per_kwh") or Decimal(0),
            charging_per_minute=_decimal(form, "charging_per_minute") or Decimal(0),
            idle_per_minute=_decimal(form, "idle_per_minute") or Decimal(0),
            idle_grace=timedelta(minutes=float(_decimal(form, "idle_grace_minutes") or 0)),
            session_fee=_decimal(form, "session_fee") or Decimal(0),
            min_price=_decimal(form, "min_price", optional=True),
            max_price=_decimal(form, "max_price", optional=True),
            tax_rate=(_decimal(form, "tax_percent") or Decimal(0)) / 100,
            time_zone=form.get("time_zone", "").strip() or zone,
            periods=tuple(periods),
        )
    except TariffInputError:
        raise
    except ValueError as error:
        raise TariffInputError("tariff", str(error)) from None


def rows_of(spec: TariffSpec | None) -> list[PeriodRow]:
    """The editor's period rows: the spec's periods, then empty ones."""
    rows = [
        PeriodRow(
            p.name, p.days, p.start.strftime("%H:%M"), p.end.strftime("%H:%M"),
            _text(p.energy_per_kwh), _text(p.charging_per_minute), _text(p.idle_per_minute),
        )
        for p in (spec.periods if spec is not None else ())
    ]
    return rows + [PeriodRow() for _ in range(PERIOD_ROWS)]


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def values_of(spec: TariffSpec | None) -> dict[str, str]:
    """The editor's plain fields, prefilled from ``spec``."""
    if spec is None:
        return {}
    return {
        "currency": spec.currency,
        "energy_per_kwh": _text(spec.energy_per_kwh),
        "charging_per_minute": _text(spec.charging_per_minute),
        "idle_per_minute": _text(spec.idle_per_minute),
        "idle_grace_minutes": _text(Decimal(int(spec.idle_grace.total_seconds())) / 60),
        "session_fee": _text(spec.session_fee),
        "min_price": _text(spec.min_price),
        "max_price": _text(spec.max_price),
        "tax_percent": _text(spec.tax_rate * 100),
        "time_zone": spec.time_zone,
    }

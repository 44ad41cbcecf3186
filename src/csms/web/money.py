"""How billing reads on the pages: a tariff in a few lines, an order's breakdown."""

from __future__ import annotations

from decimal import Decimal

from csms.domain.billing import Component, TariffSpec
from csms.web.i18n import Formatter
from csms.web.labels import N_

COMPONENTS = {
    Component.ENERGY: N_("Energy"),
    Component.CHARGING_TIME: N_("Charging time"),
    Component.IDLE_TIME: N_("Idle time"),
    Component.SESSION_FEE: N_("Session fee"),
    Component.MINIMUM: N_("Minimum price"),
    Component.MAXIMUM: N_("Maximum price"),
}
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def unit_price(fmt: Formatter, amount: Decimal, currency: str, unit: str) -> str:
    """``€0.30/kWh``: unit prices keep up to 4 decimals."""
    return f"{fmt.price(amount, currency)}/{unit}"


def tariff_lines(spec: TariffSpec, fmt: Formatter, gettext: object) -> list[str]:
    """The tariff in short lines, in the viewer's language (``gettext(message, **values)``)."""
    _ = gettext  # a callable(message, **values) -> str
    assert callable(_)
    c = spec.currency
    lines: list[str] = []
    if spec.energy_per_kwh:
        lines.append(unit_price(fmt, spec.energy_per_kwh, c, "kWh"))
    if spec.charging_per_minute:
        lines.append(_("%(price)s while charging", price=unit_price(fmt, spec.charging_per_minute, c, "min")))
    if spec.idle_per_minute:
        minutes = int(spec.idle_grace.total_seconds() // 60)
        lines.append(_("%(price)s idle, after %(minutes)s free minutes",
                       price=unit_price(fmt, spec.idle_per_minute, c, "min"), minutes=minutes))
    if spec.session_fee:
        lines.append(_("Session fee %(amount)s", amount=fmt.money(spec.session_fee, c)))
    if spec.min_price is not None:
        lines.append(_("At least %(amount)s", amount=fmt.money(spec.min_price, c)))
    if spec.max_price is not None:
        lines.append(_("At most %(amount)s", amount=fmt.money(spec.max_price, c)))
    for period in spec.periods:
        days = ", ".join(_(WEEKDAYS[d - 1]) for d in sorted(period.days))
        prices = [
            unit_price(fmt, price, c, unit)
            for price, unit in ((period.energy_per_kwh, "kWh"), (period.charging_per_minute, "min"))
            if price is not None
        ]
        end = "24:00" if period.end.hour == 0 and period.end.minute == 0 else period.end.strftime("%H:%M")
        lines.append(f"{period.name} ({days} {period.start.strftime('%H:%M')}–{end}): {', '.join(prices) or '—'}")
    if spec.tax_rate:
        lines.append(_("Prices exclude %(rate)s tax", rate=fmt.percent(spec.tax_rate)))
    if not lines:
        lines.append(_("Free"))
    return lines

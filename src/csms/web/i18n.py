"""Languages of the web pages: English (the source text) and Simplified Chinese.

Messages are marked ``_("...")`` in templates and in ``csms.web`` code; their Chinese
lives in ``locale/zh/LC_MESSAGES/messages.po``, read (and compiled in memory) at start,
so there is no build step. ``tests/web/test_i18n.py`` proves every marked message has a
translation.

The language is the ``csms_lang`` cookie when set (the switch sets it), otherwise the
best match of the browser's ``Accept-Language``, otherwise English. Numbers, money and
times are formatted for the language with Babel; times are shown in the site's time zone
(stored UTC).
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    format_time,
    format_timedelta,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "zh")
DEFAULT = "en"
COOKIE = "csms_lang"
_BABEL_LOCALE = {"en": "en_GB", "zh": "zh_Hans_CN"}
_HTML_LANG = {"en": "en", "zh": "zh-CN"}
_NAMES = {"en": "English", "zh": "中文"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def translations(language: str) -> NullTranslations:
    """The message catalog of ``language`` (English: the identity)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=_BABEL_LOCALE[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language to answer in: the cookie's, else the browser's best, else English."""
    if cookie in LANGUAGES:
        return cookie
    for tag, _quality in _accepted(accept_language or ""):
        primary = tag.split("-")[0].split("_")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT


def _accepted(header: str) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            found.append((tag, quality))
    return sorted(found, key=lambda item: -item[1])  # stable: header order among equals


def language_name(language: str) -> str:
    return _NAMES[language]


@dataclass(frozen=True, slots=True)
class Formatter:
    """Numbers, money, energy and times for one language and the site's time zone."""

    language: str
    zone: ZoneInfo

    @property
    def locale(self) -> Locale:
        return Locale.parse(_BABEL_LOCALE[self.language])

    @property
    def html_lang(self) -> str:
        return _HTML_LANG[self.language]

    def dt(self, moment: datetime | None, style: str = "medium") -> str:
        if moment is None:
            return "—"
        return format_datetime(moment, style, tzinfo=self.zone, locale=self.locale)

    def date(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return format_date(moment.astimezone(self.zone), "medium", locale=self.locale)

    def local_day(self, day: _dt.date) -> str:
        """A calendar day, short: ``22 Nov`` / ``11月22日``."""
        return format_skeleton("MMMd", day, locale=self.locale)

    def time(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return format_time(moment, "medium", tzinfo=self.zone, locale=self.locale)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the site's time zone."""
        return moment.astimezone(self.zone)

    def num(self, value: float | Decimal | int | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, pattern, locale=self.locale)

    def kwh(self, wh: float | int | None, digits: int = 2) -> str:
        return "—" if wh is None else f"{self.num(wh / 1000, digits)} kWh"

    def kw(self, w: float | int | None, digits: int = 1) -> str:
        return "—" if w is None else f"{self.num(w / 1000, digits)} kW"

    def money(self, amount: Decimal | float | int | None, currency: str | None) -> str:
        if amount is None:
            return "—"
        if not currency:
            return self.num(amount, 2)
        return format_currency(amount, currency, locale=self.locale)

    def money_precise(self, amount: Decimal, currency: str, digits: int) -> str:
        """A unit price: more decimals than the currency's minor unit when needed."""
        pattern = self.locale.currency_formats["standard"].pattern.replace("0.00", "0." + "0" * digits)
        return format_currency(amount, currency, pattern, locale=self.locale, currency_digits=False)

    def price(self, amount: Decimal | None, currency: str) -> str:
        """A unit price or order line: 2 to 4 decimals, as many as it has."""
        if amount is None:
            return "—"
        exponent = amount.normalize().as_tuple().exponent
        digits = max(2, min(4, -exponent if isinstance(exponent, int) else 2))
        return self.money_precise(amount, currency, digits)

    def percent(self, fraction: Decimal | float) -> str:
        return format_percent(fraction, "#,##0.##%", locale=self.locale)

    def duration(self, seconds: float | None) -> str:
        """``h:mm:ss`` (the same in both languages)."""
        if seconds is None:
            return "—"
        whole = max(int(seconds), 0)
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    def ago(self, moment: datetime | None, now: datetime) -> str:
        if moment is None:
            return "—"
        return format_timedelta(
            moment - now, threshold=1.1, add_direction=True, locale=self.locale
        )

    def since(self, delta: timedelta) -> str:
        return format_timedelta(delta, threshold=1.1, locale=self.locale)

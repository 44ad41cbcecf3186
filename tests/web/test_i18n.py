"""English and Chinese: every message translated, the language chosen and remembered,
numbers, money and times formatted for the language in the site's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from csms.web.catalog import extract, read_catalog
from csms.web.i18n import Formatter, negotiate


def test_every_message_of_the_pages_has_a_chinese_translation() -> None:
    catalog = read_catalog("zh")
    missing = [m for m in extract() if not (catalog.get(m) and catalog.get(m).string)]  # type: ignore[union-attr]
    assert not missing, f"untranslated (run scripts/web_messages.py, then translate): {missing}"


def test_placeholders_survive_translation() -> None:
    for message in read_catalog("zh"):
        if message.id and message.string:
            for name in re.findall(r"%\([a-z_]+\)s", str(message.id)):
                assert name in str(message.string), message.id


def test_language_is_the_cookie_else_the_browser_else_english() -> None:
    assert negotiate("zh", "en-US,en;q=0.9") == "zh"
    assert negotiate(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert negotiate(None, "fr-FR,fr;q=0.9,zh-TW;q=0.5") == "zh"
    assert negotiate(None, "de-DE") == "en"
    assert negotiate("xx", None) == "en"


def test_formats_follow_the_language_and_the_site_zone() -> None:
    moment = datetime(2025, 1, 15, 2, 9, 54, tzinfo=UTC)
    shanghai = ZoneInfo("Asia/Shanghai")
    zh, en = Formatter("zh", shanghai), Formatter("en", shanghai)
    assert zh.dt(moment) == "2025年1月15日 10:09:54"
    assert "10:09:54" in en.dt(moment)
    assert "15 Jan 2025" in en.dt(moment)
    assert zh.money(Decimal("1234.5"), "CNY") == "¥1,234.50"
    assert en.money(Decimal("3.4"), "EUR") == "€3.40"
    assert en.kwh(6379) == "6.38 kWh"
    assert zh.duration(3725) == "1:02:05"


async def test_the_switch_remembers_the_language_in_a_cookie(staff_client: httpx.AsyncClient) -> None:
    english = await staff_client.get("/")
    assert "Overview" in english.text
    assert '<html lang="en">' in english.text
    switched = await staff_client.get("/lang/zh?next=/")
    assert switched.status_code == 303
    assert switched.headers["location"] == "/"
    assert "csms_lang=zh" in switched.headers["set-cookie"]
    chinese = await staff_client.get("/")
    assert "首页" in chinese.text
    assert '<html lang="zh-CN">' in chinese.text


async def test_the_browser_language_is_the_default(anonymous_client: httpx.AsyncClient) -> None:
    page = await anonymous_client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录" in page.text

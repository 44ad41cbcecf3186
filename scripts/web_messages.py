"""Merge the web pages' messages into the Chinese catalog and list the untranslated ones:

    .venv/bin/python scripts/web_messages.py
"""

from __future__ import annotations

from csms.web.catalog import po_path, update


def main() -> None:
    missing = update("zh")
    print(f"{po_path('zh')}: {len(missing)} untranslated")
    for message in missing:
        print(f"  {message!r}")


if __name__ == "__main__":
    main()

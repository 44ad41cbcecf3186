"""The message catalog's upkeep: find every message marked for translation in the
templates (``_("...")``) and in ``csms.web``'s Python (``_``/``N_``/``text(request, ...)``),
and merge them into the Chinese ``.po`` file (new ones untranslated, old ones kept).

    python scripts/web_messages.py      # after changing texts; then translate the new ones

``tests/web/test_i18n.py`` fails while a message has no translation.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from csms.web.i18n import LOCALE_DIR

WEB = Path(__file__).resolve().parent
_TEMPLATE_FUNCTIONS = ("_", "gettext", "ngettext")
_PY_CALLS = {"_": 0, "N_": 0, "Forbidden": 0, "text": 1, "gettext": 1, "remember": 2}


def _template_messages() -> Iterator[tuple[str, str]]:
    for path in sorted((WEB / "templates").rglob("*.html")):
        with path.open("rb") as source:
            for lineno, _func, message, _comments in babel_extract(
                source, _TEMPLATE_FUNCTIONS, [], {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
            ):
                first = message[0] if isinstance(message, tuple) else message
                if first:
                    yield str(first), f"{path.relative_to(WEB)}:{lineno}"


def _python_messages() -> Iterator[tuple[str, str]]:
    """String literals passed as the message of a marker call, in csms.web's modules.

    ``text(request, "...")`` and ``gettext(lang, "...")`` take the message second,
    ``remember(response, request, "...")`` (a flash message) third."""
    for path in sorted(WEB.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else ""
            )
            if name not in _PY_CALLS:
                continue
            index = _PY_CALLS[name]
            if len(node.args) > index:
                arg = node.args[index]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield arg.value, f"{path.relative_to(WEB)}:{node.lineno}"
                elif isinstance(arg, ast.IfExp):
                    for branch in (arg.body, arg.orelse):
                        if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                            yield branch.value, f"{path.relative_to(WEB)}:{node.lineno}"


def extract() -> dict[str, list[str]]:
    """Every marked message -> where it is used."""
    found: dict[str, list[str]] = {}
    for message, where in (*_template_messages(), *_python_messages()):
        found.setdefault(message, []).append(where)
    return found


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale="zh_Hans_CN" if language == "zh" else language)
    with path.open("rb") as source:
        return read_po(source)


def update(language: str = "zh") -> list[str]:
    """Merge the extracted messages into ``language``'s .po; returns the untranslated ones."""
    old = read_catalog(language)
    new = Catalog(
        locale=old.locale,
        project="csms",
        version="",
        copyright_holder="the csms authors",
        charset="utf-8",
        fuzzy=False,
        creation_date=old.creation_date,
        revision_date=old.revision_date,
        header_comment="# Chinese (Simplified) messages of the csms web pages.\n"
        "# Update with: python scripts/web_messages.py",
    )
    for message, places in sorted(extract().items()):
        previous = old.get(message)
        locations = [(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places]
        new.add(message, previous.string if previous is not None else "", locations=locations)
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        write_po(target, new, width=100, sort_output=True, include_lineno=False)
    return [m.id for m in new if m.id and not m.string]  # type: ignore[misc]

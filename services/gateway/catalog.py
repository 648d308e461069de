"""Every word on the pages from one gettext catalog per language (``locale/<lang>/LC_MESSAGES/sanji.po``).

The .po files are read with Babel when first needed (no compile step, nothing generated to keep in
step). Message ids are stable dotted keys (``opinion.state.closed``), not English source text, so the
Chinese and the English catalogs are peers and a test can demand that both hold every key.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = {"zh": "zh_CN", "en": "en"}  # the page language (``?lang=``) → the catalog's locale
DOMAIN = "sanji"


def catalog_file(lang: str) -> Path:
    return LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def messages(lang: str) -> dict[str, str]:
    """Key → text of one language, read once per process."""
    with catalog_file(lang).open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[lang], domain=DOMAIN)
    return {str(message.id): str(message.string) for message in catalog if message.id and message.string}


@dataclass(frozen=True)
class Messages:
    """One language's words under one prefix: ``m('key', **params)`` and ``m.name('group', value)``."""

    lang: str
    prefix: str = ""

    def text(self, key: str) -> str | None:
        """The catalog's text for ``prefix + key``, or None when the catalog has no such key."""
        return messages(self.lang).get(self.prefix + key)

    def __call__(self, key: str, **params: Any) -> str:
        found = self.text(key)
        if found is None:
            return key  # a missing key shows as itself: tests/gateway/test_catalog.py finds it
        return found.format(**params) if params else found

    def name(self, group: str, value: object) -> str:
        """A coded value's label (a state, a kind, a level); the value itself when it has none."""
        if value is None or value == "":
            return "—"
        code = str(getattr(value, "value", value))
        found = self.text(f"{group}.{code}")
        return code if found is None else found

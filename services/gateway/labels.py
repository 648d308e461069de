"""Words on the pages through the message catalog (catalog.py): Chinese by default, English with ``?lang=en``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date, format_datetime

from services.eventkit.localtime import SHANGHAI
from services.gateway.catalog import LOCALES, Messages


def local_time(value: str | None, lang: str | None = None) -> str:
    """An ISO timestamp from a view in Shanghai local time, to the minute: as a page in ``lang`` says it
    (2026年3月2日 09:30, the catalog's pattern), or ISO-like (2026-03-02 09:30) for spreadsheet cells."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value).astimezone(SHANGHAI)
    if lang is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return format_datetime(moment, Messages(lang)("format.datetime"), tzinfo=SHANGHAI, locale=LOCALES[lang])


def local_day(value: str | None, lang: str) -> str:
    """An ISO date as a page in ``lang`` says it: 2026年3月2日 / 2 Mar 2026."""
    if not value:
        return "—"
    return format_date(date.fromisoformat(value), Messages(lang)("format.date"), locale=LOCALES[lang])


@dataclass(frozen=True)
class Words(Messages):
    """The shared labels of one language; templates call it as ``t('key')``."""

    prefix: str = "text."

    def activity_kind(self, kind: str) -> str:
        return Messages(self.lang).name("activity_kind", kind)

    def unit_kind(self, kind: str) -> str:
        return Messages(self.lang).name("unit_kind", kind)

    def level(self, level: str) -> str:
        return Messages(self.lang).name("level", level)

    def field(self, name: str) -> str:
        return Messages(self.lang).name("field", name)

    def explain(self, code: str, message: str) -> str:
        """What an error page says under its heading: in English the service's own sentence (it names the
        record), in Chinese the catalog's sentence for the error's code."""
        if self.lang == "en" and message:
            return message
        return Messages(self.lang).text(f"explain.{code}") or ""

    def status(self, status: int) -> str:
        return self(f"e{status}") if self.text(f"e{status}") is not None else self("error")

"""Words on the pages through the message catalog (catalog.py): Chinese by default, English with ``?lang=en``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.eventkit.localtime import SHANGHAI
from services.gateway.catalog import Messages


def local_time(value: str | None) -> str:
    """An ISO timestamp from a view as Shanghai local time, to the minute."""
    if not value:
        return "—"
    return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


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

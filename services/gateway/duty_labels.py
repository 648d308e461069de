"""Words on the duty page, from the catalog's ``duty.`` keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.eventkit.localtime import SHANGHAI
from services.gateway.catalog import Messages
from services.gateway.period_words import local_date


@dataclass(frozen=True)
class DutyWords(Messages):
    """The page's words: ``d('key')``, and ``d.kind(value)`` for an outlet, post or negative-list kind."""

    prefix: str = "duty."

    def kind(self, value: str) -> str:
        return self.name("kind", value)

    def day(self, value: str | None) -> str:
        """A date or a moment (its local day) as people write it: 2026年3月2日; a dash for none."""
        if not value:
            return "—"
        moment = datetime.fromisoformat(value)
        day = moment.astimezone(SHANGHAI).date() if moment.tzinfo else date.fromisoformat(value[:10])
        return local_date(day.isoformat(), self.lang)

    def half_year(self, label: str) -> str:
        """2025-H1 → 2025年上半年 / H1 2025."""
        year, _, half = label.partition("-H")
        return self("half_year_" + half, year=year)

"""The work summary's words from the catalog (``summary.*``): a figure's section, name and breakdown as a
clerk says them, and numbers as pages and documents write them. Shared by the page, xlsx and docx."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal

from services.gateway.catalog import LOCALES, Messages
from services.gateway.period_words import period_text

# The catalog group that names a breakdown's key, per section (``kind`` of an activity, a meeting …,
# ``level`` of a submission).
KIND_GROUPS = {
    "activities": "activity_kind",
    "meetings": "summary.meeting_kind",
    "awards": "summary.award_kind",
    "publications": "summary.publication_kind",
    "submissions": "summary.submission_level",
    "outlets": "duty.kind",
}


@dataclass(frozen=True)
class SummaryWords(Messages):
    """One language's summary words; ``prefix`` is ``summary.``."""

    prefix: str = "summary."

    def section(self, section: str) -> str:
        return Messages(self.lang).name("summary.section", section)

    def figure_name(self, name: str) -> str:
        return Messages(self.lang).name("summary.name", name)

    def breakdown(self, figure: dict[str, Any]) -> str:
        """What part of the figure this is: a kind's name, a subtype, a column, an outlet, a severity."""
        by, key = figure.get("by"), figure.get("key")
        if by is None or key is None:
            return ""
        words = Messages(self.lang)
        if by == "severity":
            return words.name("opinion.severity", key)
        if by == "column":
            return self("by.column", column=key)
        if by in ("outlet", "unit"):  # named by its label: an outlet's name, a unit's name
            label = figure.get("label") or key
            return self("by.outlet", label=label) if by == "outlet" else str(label)
        if by == "subtype":
            kind, _, subtype = str(key).partition("/")
            return self(
                "by.subtype", kind=words.name("activity_kind", kind), label=figure.get("label") or subtype
            )
        return words.name(KIND_GROUPS.get(figure["section"], "activity_kind"), key)

    def figure(self, figure: dict[str, Any]) -> str:
        """The figure's whole name: 活动场次（宣讲）."""
        part = self.breakdown(figure)
        name = self.figure_name(figure["name"])
        return f"{name}（{part}）" if part and self.lang == "zh" else f"{name} ({part})" if part else name

    def number(self, value: float | None) -> str:
        """12,000 or 3.5; a dash where there is no value (no target, no score)."""
        if value is None:
            return "—"
        return format_decimal(value, locale=LOCALES[self.lang])

    def period(self, label: str) -> str:
        return period_text(label, self.lang)

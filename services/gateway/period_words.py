"""Periods and dates as people say them: 2026年3月, 2026年第一季度, 2026年度, 2026年3月2日 (English on request),
and the period picker's choices."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from contracts.outreach import Cadence
from services.eventkit.periods import parse_period
from services.gateway.catalog import LOCALES, Messages

QUARTERS_ZH = "一二三四"


def period_text(label: str, lang: str) -> str:
    """2026-03 → 2026年3月 / March 2026; 2026-Q1 → 2026年第一季度 / Q1 2026; 2026 → 2026年度 / 2026."""
    try:
        period = parse_period(label)
    except ValueError:
        return label
    words = Messages(lang, "period.")
    if period.cadence is Cadence.MONTH:
        month = format_date(date(period.year, period.index, 1), "MMMM", locale=LOCALES[lang])
        return words("month", year=period.year, month=period.index, name=month)
    if period.cadence is Cadence.QUARTER:
        return words("quarter", year=period.year, q=period.index, zh=QUARTERS_ZH[period.index - 1])
    return words("year", year=period.year)


def local_date(value: str, lang: str) -> str:
    """An ISO date as people write it: 2026年3月2日 / 2 March 2026."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return format_date(day, "long", locale=LOCALES[lang])


def period_options(current: str, today: date, lang: str) -> list[tuple[str, str]]:
    """The picker's (label, text) choices: this year and the two before, each as a year, its quarters and
    its months, newest first; the shown period is always among them."""
    labels: list[str] = []
    for year in range(today.year, today.year - 3, -1):
        labels.append(str(year))
        labels += [f"{year}-Q{q}" for q in range(4, 0, -1)]
        labels += [f"{year}-{m:02d}" for m in range(12, 0, -1)]
    if current and current not in labels:
        labels.insert(0, current)
    return [(label, period_text(label, lang)) for label in labels]

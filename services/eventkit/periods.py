"""Reporting periods (month, quarter, year) over local dates in Asia/Shanghai. Pure: no clock calls.

An activity held at 2025-03-31T17:00Z was held on 2025-04-01 in Shanghai, so it counts in April and
in Q2: every period is decided on the local date, never on a UTC one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from contracts.outreach import Cadence
from services.eventkit.localtime import local_date

MONTHS_IN = {Cadence.MONTH: 1, Cadence.QUARTER: 3, Cadence.YEAR: 12}
PERIOD_TEXT = re.compile(r"^(?P<year>[0-9]{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?\Z")


class PeriodStatus(StrEnum):
    UPCOMING = "upcoming"  # not begun yet
    OPEN = "open"  # today lies in it: a shortfall is not final
    CLOSED = "closed"  # over: a shortfall counts


@dataclass(frozen=True, order=True)
class Period:
    """One month, quarter or year: ``index`` is the month (1–12), the quarter (1–4) or 1 for a year."""

    year: int
    cadence: Cadence
    index: int

    @property
    def first_month(self) -> int:
        return (self.index - 1) * MONTHS_IN[self.cadence] + 1

    @property
    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs it covers."""
        return [(self.year, self.first_month + i) for i in range(MONTHS_IN[self.cadence])]

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> date:
        year, month = self.months[-1]
        return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)

    @property
    def label(self) -> str:
        """``2025``, ``2025-Q2`` or ``2025-04``: also what parse_period reads."""
        if self.cadence is Cadence.YEAR:
            return str(self.year)
        if self.cadence is Cadence.QUARTER:
            return f"{self.year}-Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def status(self, today: date) -> PeriodStatus:
        if today < self.first_day:
            return PeriodStatus.UPCOMING
        return PeriodStatus.OPEN if today <= self.last_day else PeriodStatus.CLOSED


def period_of(day: date, cadence: Cadence) -> Period:
    """The period of ``cadence`` that a local date falls in."""
    if cadence is Cadence.YEAR:
        return Period(day.year, cadence, 1)
    return Period(day.year, cadence, (day.month - 1) // MONTHS_IN[cadence] + 1)


def local_period_of(moment: datetime, cadence: Cadence) -> Period:
    """The period a moment falls in, on its Asia/Shanghai date (``moment`` must carry a timezone)."""
    if moment.tzinfo is None:
        raise ValueError("a moment without a timezone has no local date")
    return period_of(local_date(moment), cadence)


def periods_in(year: int, cadence: Cadence) -> list[Period]:
    """Every period of ``cadence`` in a calendar year, in order."""
    return [Period(year, cadence, index) for index in range(1, 12 // MONTHS_IN[cadence] + 1)]


def parse_period(text: str) -> Period:
    """``2025`` → the year, ``2025-Q2`` → a quarter, ``2025-04`` → a month; ValueError otherwise."""
    found = PERIOD_TEXT.match(text.strip())
    if not found:
        raise ValueError(f"'{text}' is not a period: write 2025, 2025-Q2 or 2025-04")
    year = int(found["year"])
    if found["quarter"]:
        return Period(year, Cadence.QUARTER, int(found["quarter"]))
    if found["month"]:
        return Period(year, Cadence.MONTH, int(found["month"]))
    return Period(year, Cadence.YEAR, 1)

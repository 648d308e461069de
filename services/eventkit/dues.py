"""Due dates the write side and the read side must agree on, pure: an outlet's next inspection by its
kind's cadence (calendar months), and a half-year's report to the higher party organization (每半年汇报)
in working days on the statutory calendar (workdays.py, as rectifications and opinion deadlines count)."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from services.eventkit.localtime import SHANGHAI
from services.eventkit.workdays import Deadline, workday_deadline

HALF_YEAR_TEXT = re.compile(r"^(?P<year>[0-9]{4})-H(?P<half>[12])\Z")
# The report on a half-year is due by the end of the tenth working day after the half-year ends.
REPORT_WORKDAYS = 10


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1: January–June, 2: July–December

    @property
    def label(self) -> str:
        return f"{self.year}-H{self.half}"

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    def previous(self) -> HalfYear:
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    @classmethod
    def of(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)


def parse_half_year(text: str) -> HalfYear:
    """``2025-H1`` or ``2025-H2``."""
    found = HALF_YEAR_TEXT.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a half-year such as 2025-H1")
    return HalfYear(int(found["year"]), int(found["half"]))


def half_years_ending(first: date, last: date) -> list[HalfYear]:
    """The half-years whose last day falls in ``first``–``last`` (the obligations a period counts)."""
    found, half = [], HalfYear.of(first)
    while half.last_day <= last:
        if half.last_day >= first:
            found.append(half)
        half = half.next()
    return found


def report_due(half: HalfYear) -> Deadline:
    """The end of the REPORT_WORKDAYS-th working day after the half-year's last day (local time)."""
    noon = datetime.combine(half.last_day, time(12), tzinfo=SHANGHAI).astimezone(UTC)
    return workday_deadline(noon, REPORT_WORKDAYS)


def next_report(now: datetime) -> HalfYear:
    """The half-year whose report deadline comes next: the last one's until its deadline passes."""
    half = HalfYear.of(now.astimezone(SHANGHAI).date()).previous()
    return half if now <= report_due(half).due_at else half.next()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 month = 28 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def inspection_base(
    last_inspected: date | None, registered_on: date | None, cadence_since: date | None
) -> date | None:
    """The day an outlet's cycle runs from: its last inspection, or its registration, but never before its
    kind's cadence took effect (a cadence set today does not make an outlet overdue today)."""
    known = [day for day in (last_inspected or registered_on, cadence_since) if day is not None]
    return max(known) if known else None


def inspection_due_on(base: date, months: int) -> date:
    """The last day an outlet inspected (or, never inspected, registered) on ``base`` is on time."""
    return add_months(base, months)


def inspection_overdue(base: date | None, months: int, on: date) -> bool:
    """Overdue on ``on``: past its due day; with no known base (never inspected, running before records
    began) it is overdue at once."""
    return base is None or on > inspection_due_on(base, months)

"""Working days in Asia/Shanghai with the statutory holiday calendar (chinesecalendar): holidays are
off, 调休 make-up weekend days are workdays. The calendar is announced a year at a time; for a year
the library does not know yet, plain Monday–Friday is used and the answer says so (``estimated``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar

from services.eventkit.localtime import SHANGHAI

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def calendar_known(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    """A statutory working day; Monday–Friday for a year whose calendar is not announced yet."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("no statutory calendar for %s yet: counting plain weekdays", day.year)
        return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    """A due moment, and whether it rests on weekdays only because the year's calendar is unknown."""

    due_at: datetime  # UTC-aware
    estimated: bool = False


def add_workdays(start: date, days: int) -> tuple[date, bool]:
    """The ``days``-th working day after ``start`` (``days`` ≥ 1); and whether any day was estimated."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted, estimated = start, 0, False
    while counted < days:
        day += timedelta(days=1)
        estimated = estimated or not calendar_known(day)
        if is_workday(day):
            counted += 1
    return day, estimated


def workday_deadline(start: datetime, days: int, close_of_day: time = time(23, 59, 59)) -> Deadline:
    """Due at the end of the ``days``-th working day after the local day of ``start``."""
    local_start = start.astimezone(SHANGHAI).date()
    due_day, estimated = add_workdays(local_start, days)
    due = datetime.combine(due_day, close_of_day, tzinfo=SHANGHAI)
    return Deadline(due.astimezone(start.tzinfo), estimated)


def hours_deadline(start: datetime, hours: float) -> Deadline:
    """Due ``hours`` of clock time after ``start`` (grave cases run around the clock)."""
    return Deadline(start + timedelta(hours=hours))


def workdays_between(start: date, end: date) -> int:
    """The working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day)
    return count

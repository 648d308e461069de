"""Working days with the statutory calendar: holidays off, 调休 make-up weekend days on, and plain
weekdays (flagged as estimated) for a year whose calendar is not announced yet."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.eventkit.workdays import add_workdays, hours_deadline, is_workday, workday_deadline


def test_national_day_week_is_off_and_the_make_up_saturday_is_on() -> None:
    assert not is_workday(date(2026, 10, 1))
    assert is_workday(date(2026, 10, 10))  # Saturday, a 调休 workday
    assert not is_workday(date(2026, 10, 11))  # an ordinary Sunday


def test_counting_working_days_across_the_holiday() -> None:
    # From Wednesday 30 Sep 2026: 1–7 Oct are off, Thu 8 and Fri 9 work, Sat 10 is a make-up day.
    assert add_workdays(date(2026, 9, 30), 1) == (date(2026, 10, 8), False)
    assert add_workdays(date(2026, 9, 30), 3) == (date(2026, 10, 10), False)
    assert add_workdays(date(2026, 9, 30), 4) == (date(2026, 10, 12), False)


def test_unknown_year_falls_back_to_weekdays_and_says_so() -> None:
    day, estimated = add_workdays(date(2030, 12, 27), 2)  # a Friday
    assert (day, estimated) == (date(2030, 12, 31), True)


def test_deadline_is_end_of_local_day_even_when_started_late_utc() -> None:
    # 20:00 UTC on 30 Sep is already 04:00 on 1 Oct in Shanghai: the count starts from the local day.
    deadline = workday_deadline(datetime(2026, 9, 30, 20, 0, tzinfo=UTC), 1)
    assert deadline.due_at == datetime(2026, 10, 8, 15, 59, 59, tzinfo=UTC)
    assert not deadline.estimated


def test_hours_deadline_and_bad_input() -> None:
    start = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)
    assert hours_deadline(start, 2).due_at == datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="at least 1"):
        add_workdays(date(2026, 1, 5), 0)

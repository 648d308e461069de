"""Periods over local dates: month and quarter boundaries fall at midnight in Shanghai, not in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from contracts.outreach import Cadence
from services.eventkit.periods import (
    Period,
    PeriodStatus,
    local_period_of,
    parse_period,
    period_of,
    periods_in,
)


@pytest.mark.parametrize(
    ("moment", "cadence", "label"),
    [
        (datetime(2025, 3, 31, 15, 59, tzinfo=UTC), Cadence.MONTH, "2025-03"),  # 23:59 in Shanghai
        (datetime(2025, 3, 31, 16, 0, tzinfo=UTC), Cadence.MONTH, "2025-04"),  # 00:00 on 1 April
        (datetime(2025, 3, 31, 16, 0, tzinfo=UTC), Cadence.QUARTER, "2025-Q2"),
        (datetime(2025, 3, 31, 15, 59, tzinfo=UTC), Cadence.QUARTER, "2025-Q1"),
        (datetime(2024, 12, 31, 16, 30, tzinfo=UTC), Cadence.YEAR, "2025"),  # new year's morning
        (datetime(2024, 12, 31, 16, 30, tzinfo=UTC), Cadence.QUARTER, "2025-Q1"),
    ],
)
def test_a_moment_falls_in_the_period_of_its_shanghai_date(
    moment: datetime, cadence: Cadence, label: str
) -> None:
    assert local_period_of(moment, cadence).label == label


def test_a_moment_without_a_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        local_period_of(datetime(2025, 3, 31, 16, 0), Cadence.MONTH)


@pytest.mark.parametrize(
    ("day", "cadence", "label", "first", "last"),
    [
        (date(2024, 2, 29), Cadence.MONTH, "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2025, 2, 10), Cadence.MONTH, "2025-02", date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 12, 31), Cadence.MONTH, "2025-12", date(2025, 12, 1), date(2025, 12, 31)),
        (date(2025, 6, 30), Cadence.QUARTER, "2025-Q2", date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), Cadence.QUARTER, "2025-Q3", date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 11, 5), Cadence.QUARTER, "2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
        (date(2025, 11, 5), Cadence.YEAR, "2025", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_periods_have_local_first_and_last_days(
    day: date, cadence: Cadence, label: str, first: date, last: date
) -> None:
    period = period_of(day, cadence)
    assert (period.label, period.first_day, period.last_day) == (label, first, last)
    assert period.contains(day)
    assert parse_period(label) == period


def test_a_year_has_twelve_months_four_quarters_and_one_year() -> None:
    assert [p.label for p in periods_in(2025, Cadence.QUARTER)] == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]
    assert len(periods_in(2025, Cadence.MONTH)) == 12
    assert periods_in(2025, Cadence.YEAR) == [Period(2025, Cadence.YEAR, 1)]
    assert Period(2025, Cadence.QUARTER, 3).months == [(2025, 7), (2025, 8), (2025, 9)]


def test_a_period_is_upcoming_open_then_closed() -> None:
    march = parse_period("2025-03")
    assert march.status(date(2025, 2, 28)) is PeriodStatus.UPCOMING
    assert march.status(date(2025, 3, 1)) is PeriodStatus.OPEN
    assert march.status(date(2025, 3, 31)) is PeriodStatus.OPEN
    assert march.status(date(2025, 4, 1)) is PeriodStatus.CLOSED


@pytest.mark.parametrize("text", ["25", "2025-13", "2025-Q5", "2025-3", "2025-Q0", "二〇二五", "2025-03-01"])
def test_bad_period_texts_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        parse_period(text)

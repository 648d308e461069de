"""Targets and plan versus actual: each period judged on its own, in local months and quarters."""

from __future__ import annotations

from datetime import date
from functools import reduce
from typing import Any

import pytest

from contracts.outreach import ActivityKind, Cadence, SetTarget, TargetScope, TargetSet
from contracts.registry import DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.eventkit.periods import PeriodStatus, local_period_of
from services.outreach.domain.plans import (
    Plan,
    Tally,
    Target,
    completion,
    decide_set_target,
    evolve_plan,
    progress,
)

UNIT = "3205.320506"


def set_target(**changes: Any) -> SetTarget:
    body: dict[str, Any] = {
        "unit": UNIT,
        "year": 2025,
        "kind": "central_group_study",
        "cadence": "month",
        "count": 1,
    }
    return SetTarget.model_validate(body | changes)


def given(*events: DomainEvent) -> Plan:
    return reduce(evolve_plan, events, Plan(targets={}))


def first_target() -> TargetSet:
    (event,) = decide_set_target(Plan(targets={}), True, set_target())
    assert isinstance(event, TargetSet)
    return event


def test_a_target_is_set_at_revision_one() -> None:
    event = first_target()
    assert (event.kind, event.cadence, event.count, event.revision) == (
        ActivityKind.CENTRAL_GROUP_STUDY,
        Cadence.MONTH,
        1,
        1,
    )
    assert event.scope is TargetScope.OWN


def test_a_revision_needs_a_reason_and_counts_up() -> None:
    plan = given(first_target())
    with pytest.raises(DomainError) as refused:
        decide_set_target(plan, True, set_target(count=2))
    assert refused.value.field == "reason"
    (event,) = decide_set_target(plan, True, set_target(count=2, reason="市局要求加密学习"))
    assert isinstance(event, TargetSet)
    assert event.revision == 2


def test_the_same_target_twice_is_a_conflict() -> None:
    with pytest.raises(AlreadyExists):
        decide_set_target(given(first_target()), True, set_target(reason="again"))


def test_a_monthly_and_a_yearly_target_for_one_kind_live_side_by_side() -> None:
    (yearly,) = decide_set_target(given(first_target()), True, set_target(cadence="year", count=12))
    assert isinstance(yearly, TargetSet)
    assert yearly.revision == 1
    assert len(given(first_target(), yearly).targets) == 2


def test_withdrawing_needs_a_target_and_an_unknown_unit_is_refused() -> None:
    with pytest.raises(DomainError, match="withdraw"):
        decide_set_target(Plan(targets={}), True, set_target(count=0))
    with pytest.raises(NotFound):
        decide_set_target(Plan(targets={}), False, set_target())


MONTHLY = Target(ActivityKind.CENTRAL_GROUP_STUDY, Cadence.MONTH, 1, None, TargetScope.OWN, 1)
QUARTERLY = Target(ActivityKind.OUTREACH_TALK, Cadence.QUARTER, 3, 300, TargetScope.SUBTREE, 1)


def test_a_surplus_in_one_month_does_not_cover_a_missing_month() -> None:
    months = {(2025, 1): Tally(3, 60), (2025, 3): Tally(1, 20)}
    periods = progress(MONTHLY, 2025, months, today=date(2025, 4, 15))
    by_label = {p.period.label: p for p in periods}
    assert [by_label[m].actual for m in ("2025-01", "2025-02", "2025-03", "2025-04")] == [3, 0, 1, 0]
    assert by_label["2025-02"].shortfall == 1
    assert by_label["2025-02"].status is PeriodStatus.CLOSED
    assert by_label["2025-04"].status is PeriodStatus.OPEN
    assert by_label["2025-05"].status is PeriodStatus.UPCOMING
    assert by_label["2025-05"].shortfall == 0  # not begun: nothing is missing yet
    year = completion(periods)
    assert year["target"] == 12
    assert year["counted"] == 2  # January's two extra sessions are not carried into February
    assert year["shortfall_closed"] == 1
    assert year["periods_missed"] == 1
    assert year["completion"] == round(2 / 12, 4)


def test_an_activity_on_the_night_of_31_march_utc_counts_in_april_and_q2() -> None:
    from datetime import UTC, datetime

    held_at = datetime(2025, 3, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 April in Shanghai
    month = local_period_of(held_at, Cadence.MONTH)
    months = {month.months[0]: Tally(1, 50)}
    by_month = {p.period.label: p.actual for p in progress(MONTHLY, 2025, months, today=date(2025, 12, 31))}
    assert (by_month["2025-03"], by_month["2025-04"]) == (0, 1)
    by_quarter = {
        p.period.label: p.actual for p in progress(QUARTERLY, 2025, months, today=date(2025, 12, 31))
    }
    assert (by_quarter["2025-Q1"], by_quarter["2025-Q2"]) == (0, 1)


def test_a_quarter_sums_its_three_months_and_checks_the_audience() -> None:
    months = {
        (2025, 3): Tally(1, 100),
        (2025, 4): Tally(2, 150),
        (2025, 6): Tally(1, 100),
        (2025, 7): Tally(5, 900),
    }
    quarters = progress(QUARTERLY, 2025, months, today=date(2025, 7, 1))
    q1, q2, q3, _ = quarters
    assert (q1.actual, q1.shortfall, q1.audience_shortfall, q1.met) == (1, 2, 200, False)
    assert (q2.actual, q2.audience, q2.shortfall, q2.audience_shortfall, q2.met) == (3, 250, 0, 50, False)
    assert (q3.actual, q3.status, q3.met) == (5, PeriodStatus.OPEN, True)
    assert completion(quarters)["shortfall_closed"] == 2

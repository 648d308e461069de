"""Meeting targets, given/when/then: set and revised by the rule every target follows, and measured
period by period with shortfalls like activity targets (e.g. situation analyses twice a year)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.outreach import Cadence
from contracts.outreach_meetings import MeetingKind, MeetingTargetSet, SetMeetingTarget
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.outreach.domain.plans import Plan, Tally, decide_set_meeting_target, evolve_plan, progress

UNIT = "3205.320506"


def target(count: int = 2, reason: str | None = None, cadence: Cadence = Cadence.YEAR) -> SetMeetingTarget:
    return SetMeetingTarget(
        unit=UNIT, year=2025, kind=MeetingKind.SITUATION_ANALYSIS, cadence=cadence, count=count, reason=reason
    )


def test_a_meeting_target_is_set_revised_with_a_reason_and_never_twice_the_same() -> None:
    (first,) = decide_set_meeting_target(Plan(targets={}), True, target())
    assert isinstance(first, MeetingTargetSet)
    assert first.revision == 1
    plan = evolve_plan(Plan(targets={}), first)
    with pytest.raises(AlreadyExists):
        decide_set_meeting_target(plan, True, target())
    with pytest.raises(DomainError) as refused:
        decide_set_meeting_target(plan, True, target(count=4))
    assert refused.value.field == "reason"
    (second,) = decide_set_meeting_target(plan, True, target(count=4, reason="市里要求每季度一次"))
    assert isinstance(second, MeetingTargetSet)
    assert second.revision == 2
    with pytest.raises(NotFound):
        decide_set_meeting_target(Plan(targets={}), False, target())


def test_an_activity_target_and_a_meeting_target_live_side_by_side() -> None:
    (event,) = decide_set_meeting_target(Plan(targets={}), True, target())
    plan = evolve_plan(Plan(targets={}), event)
    assert plan.targets == {}
    assert list(plan.meeting_targets) == [(MeetingKind.SITUATION_ANALYSIS, Cadence.YEAR)]


def test_situation_analyses_short_of_twice_a_year_show_a_shortfall() -> None:
    (event,) = decide_set_meeting_target(Plan(targets={}), True, target())
    plan = evolve_plan(Plan(targets={}), event)
    (goal,) = plan.meeting_targets.values()
    (year,) = progress(goal, 2025, {(2025, 6): Tally(activities=1)}, date(2026, 1, 5))
    assert (year.target, year.actual, year.shortfall, year.met) == (2, 1, 1, False)

"""Response plans and nil reports under any commands: only named refusals; plan versions count up from
one, and a post files at most one nil report a day, for a day of the past week."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.opinion import (
    AdoptResponsePlan,
    FileNilReport,
    Limit,
    NilReportFiled,
    Severity,
    SeverityLimits,
)
from contracts.registry import DomainEvent
from services.opinion.domain.plans import (
    NIL_REPORT_GRACE,
    Plans,
    decide_adopt_plan,
    decide_file_nil_report,
    evolve_plans,
)
from tests.properties.streams import Stream, state_is_its_events

LIMITS = SeverityLimits(
    acknowledge=Limit(hours=2),
    first_response=Limit(hours=4),
    close=Limit(workdays=3),
    supervise_after=Limit(hours=8),
    escalate_after=Limit(workdays=1),
)
UNITS = ("3205", "3205.320506", "3205.320506.320506001", "3205.320506.320506001.dept01")
TODAY = date(2026, 12, 7)

adoptions = st.builds(
    AdoptResponsePlan,
    unit=st.sampled_from(UNITS),
    limits=st.just(dict.fromkeys(Severity, LIMITS)),
)


@given(script=st.lists(adoptions, min_size=1, max_size=8))
def test_plan_versions_count_up_from_one(script: list[AdoptResponsePlan]) -> None:
    stream = Stream(Plans(), evolve_plans)
    for command in script:
        stream.attempt(functools.partial(decide_adopt_plan, command=command))
        assert sorted(stream.state.versions) == list(range(1, len(stream.state.versions) + 1))
    state_is_its_events(stream)


reports = st.builds(
    FileNilReport,
    unit=st.sampled_from(UNITS),
    day=st.integers(-9, 1).map(lambda offset: TODAY + timedelta(days=offset)),
)


def nil_report(filed: list[DomainEvent], command: FileNilReport, unit_known: bool) -> list[DomainEvent]:
    """As the handler decides it: a stream per post and day, filed when that stream has an event."""
    already = any(
        isinstance(e, NilReportFiled) and (e.unit, e.day) == (command.unit, command.day) for e in filed
    )
    return decide_file_nil_report(already, unit_known, TODAY, command)


@given(script=st.lists(st.tuples(reports, st.booleans()), min_size=1, max_size=20))
def test_a_post_files_one_nil_report_a_day_within_the_week(script: list[tuple[FileNilReport, bool]]) -> None:
    stream: Stream[list[DomainEvent]] = Stream([], lambda filed, event: [*filed, event])
    for command, unit_known in script:
        stream.attempt(functools.partial(nil_report, command=command, unit_known=unit_known))
    days = [(e.unit, e.day) for e in stream.events if isinstance(e, NilReportFiled)]
    assert len(days) == len(set(days)), "one nil report per post and day"
    assert all(TODAY - NIL_REPORT_GRACE <= day <= TODAY for _, day in days)
    assert all(not unit.endswith("dept01") for unit, _ in days), "only offices are monitoring posts"
    state_is_its_events(stream)

"""Targets and plan versus actual under any commands and tallies: only named refusals, revisions count
up by one, and no count, shortfall or completion ratio leaves its range."""

from __future__ import annotations

import functools
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from contracts.outreach import ActivityKind, Cadence, SetTarget, TargetScope, TargetSet
from services.outreach.domain.plans import (
    Month,
    Plan,
    Tally,
    Target,
    completion,
    decide_set_target,
    evolve_plan,
    progress,
)
from tests.properties.streams import Stream, state_is_its_events

UNIT = "3205.320506.320506001"
YEAR = 2026

targets = st.builds(
    SetTarget,
    unit=st.just(UNIT),
    year=st.just(YEAR),
    kind=st.sampled_from([ActivityKind.SEMINAR, ActivityKind.LECTURE]),
    cadence=st.sampled_from(Cadence),
    count=st.integers(0, 5),
    audience=st.none() | st.integers(1, 50),
    scope=st.sampled_from(TargetScope),
    reason=st.none() | st.just("年中调整"),
)


def revisions_count_up_by_one(events: list[TargetSet]) -> None:
    last: dict[tuple[ActivityKind, Cadence], int] = {}
    for event in events:
        key = (event.kind, event.cadence)
        assert event.revision == last.get(key, 0) + 1
        last[key] = event.revision


@given(script=st.lists(st.tuples(targets, st.booleans()), min_size=1, max_size=15))
def test_any_sequence_of_targets_numbers_each_revision(script: list[tuple[SetTarget, bool]]) -> None:
    stream = Stream(Plan({}), evolve_plan)
    for command, unit_known in script:
        stream.attempt(functools.partial(decide_set_target, unit_known=unit_known, command=command))
        revisions_count_up_by_one([event for event in stream.events if isinstance(event, TargetSet)])
    state_is_its_events(stream)


tallies = st.dictionaries(
    st.tuples(st.sampled_from([YEAR - 1, YEAR, YEAR + 1]), st.integers(1, 12)),
    st.builds(Tally, st.integers(0, 10), st.integers(0, 300)),
    max_size=14,
)
plan_targets = st.builds(
    Target,
    kind=st.just(ActivityKind.SEMINAR),
    cadence=st.sampled_from(Cadence),
    count=st.integers(0, 5),
    audience=st.none() | st.integers(1, 100),
    scope=st.just(TargetScope.OWN),
    revision=st.just(1),
)
days = st.dates(date(YEAR - 1, 6, 1), date(YEAR + 1, 6, 1))


@given(target=plan_targets, months=tallies, today=days)
def test_plan_versus_actual_never_leaves_its_range(
    target: Target, months: dict[Month, Tally], today: date
) -> None:
    periods = progress(target, YEAR, months, today)
    for period in periods:
        assert period.actual >= 0
        assert period.audience >= 0
        assert 0 <= period.shortfall <= target.count
        assert period.audience_shortfall >= 0
    in_year = sum(tally.activities for (year, _), tally in months.items() if year == YEAR)
    assert sum(period.actual for period in periods) == in_year, "every month of the year counted once"
    summary = completion(periods)
    assert 0 <= summary["counted"] <= min(summary["target"], summary["actual"])
    assert summary["completion"] is None or 0 <= summary["completion"] <= 1
    assert 0 <= summary["periods_missed"] <= len(periods)

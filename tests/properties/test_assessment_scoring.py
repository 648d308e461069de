"""Scoring under any facts, manual entries and adjustments: never below zero, the same whatever order the
facts came in, a roll-up between its parts, and a competition ranking that puts vetoed units last."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from contracts.assessment import Manual, Metric, Rollup, Scheme
from contracts.outreach import Cadence
from services.assessment.domain.facts import Fact
from services.assessment.domain.scoring import (
    Adjustment,
    ManualEntry,
    ScoringInput,
    rank,
    rolled_up,
    score_own,
)
from services.eventkit.periods import Period

ROOT = Path(__file__).resolve().parents[2]
SCHEME = Scheme.model_validate(
    yaml.safe_load((ROOT / "services/assessment/schemes/example.yaml").read_text(encoding="utf-8"))
)
MANUAL = {leaf.id: leaf.points for leaf in SCHEME.leaves() if isinstance(leaf, Manual)}
UNIT = "3205.320506.320506001"
YEAR = 2026
ATTRS = {
    "kind": st.sampled_from(["central_group_study", "outreach_talk", "seminar"]),
    "closed_on_time": st.booleans(),
    "on_time": st.booleans(),
    "overdue": st.booleans(),
    "severity": st.sampled_from(["I", "II", "IV"]),
}

facts = st.builds(
    Fact,
    subject=st.integers(1, 40).map(lambda n: f"subject:{n}"),
    metric=st.sampled_from(Metric),
    unit=st.just(UNIT),
    on_date=st.dates(date(YEAR - 1, 11, 1), date(YEAR + 1, 1, 31)),
    attrs=st.fixed_dictionaries({}, optional=ATTRS),
    until=st.none() | st.integers(1, 200).map(lambda days: date(YEAR, 1, 1) + timedelta(days=days)),
)
periods = st.one_of(
    st.integers(1, 12).map(lambda month: Period(YEAR, Cadence.MONTH, month)),
    st.integers(1, 4).map(lambda quarter: Period(YEAR, Cadence.QUARTER, quarter)),
    st.just(Period(YEAR, Cadence.YEAR, 1)),
)
manual_entries = st.dictionaries(
    st.sampled_from(sorted(MANUAL)),
    st.builds(
        ManualEntry, st.floats(0, min(MANUAL.values()), allow_nan=False), st.just("评分"), st.just("ev-1")
    ),
)
adjustments = st.lists(
    st.builds(
        Adjustment, st.floats(-100, 100, allow_nan=False).filter(bool), st.just("加减分"), st.just("ev-2")
    ),
    max_size=3,
)


@given(
    fact_list=st.lists(facts, max_size=30),
    period=periods,
    manual=manual_entries,
    adjusted=adjustments,
    count=st.integers(0, 6),
    order=st.randoms(),
)
def test_a_score_is_never_negative_and_does_not_depend_on_the_order_of_facts(
    fact_list: list[Fact],
    period: Period,
    manual: dict[str, ManualEntry],
    adjusted: list[Adjustment],
    count: int,
    order: object,
) -> None:
    targets = {
        (kind, cadence): count for kind in ("central_group_study", "outreach_talk") for cadence in Cadence
    }
    data = ScoringInput(UNIT, period, SCHEME, 1, fact_list, targets, manual, adjusted)
    own, vetoed, explanation = score_own(data)
    assert own >= 0
    assert vetoed == bool(explanation.vetoes)
    shuffled = list(fact_list)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    assert score_own(ScoringInput(UNIT, period, SCHEME, 1, shuffled, targets, manual, adjusted)) == (
        own,
        vetoed,
        explanation,
    )


weights = st.integers(0, 100).map(lambda own: Rollup(own=own / 100, children=(100 - own) / 100))
totals = st.floats(0, 150, allow_nan=False)


@given(own=totals, children=st.lists(totals, min_size=1, max_size=8), rollup=weights)
def test_a_roll_up_lies_between_the_lowest_and_highest_of_its_parts(
    own: float, children: list[float], rollup: Rollup
) -> None:
    total = rolled_up(own, children, rollup)
    low, high = min(own, *children), max(own, *children)
    assert low - 0.01 <= total <= high + 0.01  # rounded once to two places


scores = st.lists(
    st.tuples(
        st.integers(1, 9).map(lambda n: f"unit-{n}"), st.sampled_from([60.0, 75.5, 80.0, 90.0]), st.booleans()
    ),
    unique_by=lambda score: score[0],
    max_size=9,
)


@given(scores=scores)
def test_ranking_is_competition_ranking_with_vetoed_units_last(scores: list[tuple[str, float, bool]]) -> None:
    ranks = rank(scores)
    assert set(ranks) == {unit for unit, _, _ in scores}
    for unit, total, vetoed in scores:
        ahead = [u for u, t, v in scores if (v, -t) < (vetoed, -total)]
        assert ranks[unit] == len(ahead) + 1, "a rank is one more than the number of units ahead"
        if not vetoed:
            assert all(ranks[unit] < ranks[u] for u, _, v in scores if v)

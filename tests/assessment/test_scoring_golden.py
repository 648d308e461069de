"""Golden scores: every expected number below is worked out by hand from the rules in
services/assessment/domain/scoring.py's docstring (the working is in the comment beside it), never copied
from what the code printed."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts.assessment import ChildScore, Explanation, FactRef, Line, Metric, Scheme
from contracts.outreach import Cadence
from services.assessment.domain.facts import AttrValue, Fact
from services.assessment.domain.scoring import (
    Adjustment,
    ManualEntry,
    ScoringInput,
    points,
    rank,
    score_own,
    score_unit,
)
from services.eventkit.localtime import local_date
from services.eventkit.periods import Period, parse_period
from tests.assessment.test_scheme_contract import bureau_scheme

UNIT = "3205.320506"
Q1 = Period(2025, Cadence.QUARTER, 1)
FEBRUARY = Period(2025, Cadence.MONTH, 2)
MARCH = Period(2025, Cadence.MONTH, 3)
YEAR = Period(2025, Cadence.YEAR, 1)

STUDY = "central_group_study"
TALK = "outreach_talk"


# --- building blocks ----------------------------------------------------------------------------


def make_scheme(
    *indicators: dict[str, Any],
    deductions: Sequence[dict[str, Any]] = (),
    bonuses: Sequence[dict[str, Any]] = (),
    vetoes: Sequence[dict[str, Any]] = (),
    rollup: dict[str, float] | None = None,
) -> Scheme:
    body: dict[str, Any] = {
        "title": "测试细则",
        "indicators": list(indicators),
        "deductions": list(deductions),
        "bonuses": list(bonuses),
        "vetoes": list(vetoes),
    }
    if rollup is not None:
        body["rollup"] = rollup
    return Scheme.model_validate(body)


def quota(
    leaf_id: str,
    leaf_points: float,
    *,
    kind: str = STUDY,
    per: str = "month",
    required: int | None = 1,
    per_missing: float = 0.5,
) -> dict[str, Any]:
    leaf: dict[str, Any] = {
        "id": leaf_id,
        "name": f"{leaf_id}次数",
        "kind": "quota",
        "points": leaf_points,
        "select": {"metric": "activity", "where": {"kind": kind}},
        "per": per,
        "per_missing": per_missing,
    }
    if required is not None:
        leaf["required"] = required
    return leaf


def on_time_rate(leaf_id: str, leaf_points: float, when_none: str = "full") -> dict[str, Any]:
    """舆情办结及时率: cases closed on time / cases closed."""
    return {
        "id": leaf_id,
        "name": "舆情办结及时率",
        "kind": "rate",
        "points": leaf_points,
        "numerator": {"metric": "opinion_case", "where": {"closed": True, "closed_on_time": True}},
        "denominator": {"metric": "opinion_case", "where": {"closed": True}},
        "when_none": when_none,
    }


def manual(leaf_id: str, leaf_points: float, periods: list[str] | None = None) -> dict[str, Any]:
    leaf: dict[str, Any] = {"id": leaf_id, "name": f"{leaf_id}评定", "kind": "manual", "points": leaf_points}
    if periods is not None:
        leaf["periods"] = periods
    return leaf


def fact(
    subject: str,
    metric: Metric,
    on: date,
    until: date | None = None,
    events: tuple[str, ...] | None = None,
    **attrs: AttrValue,
) -> Fact:
    return Fact(subject, metric, UNIT, on, attrs, events or (f"ev-{subject}",), until)


def activity(n: int, on: date, kind: str = STUDY, audience: int = 30) -> Fact:
    return fact(f"activity:a-{n}", Metric.ACTIVITY, on, kind=kind, audience=audience)


def case(
    n: int, on: date, *, closed: bool, on_time: bool, severity: str = "IV", overdue: bool = False
) -> Fact:
    return fact(
        f"case:c-{n}",
        Metric.OPINION_CASE,
        on,
        severity=severity,
        category="policy",
        closed=closed,
        closed_on_time=on_time,
        overdue=overdue,
    )


def scoring_input(
    scheme: Scheme,
    period: Period,
    facts: Sequence[Fact] = (),
    *,
    targets: Mapping[tuple[str, Cadence], int] | None = None,
    entered: Mapping[str, float] | None = None,
    adjustments: Sequence[Adjustment] = (),
) -> ScoringInput:
    return ScoringInput(
        unit=UNIT,
        period=period,
        scheme=scheme,
        scheme_version=3,
        facts=list(facts),
        targets=dict(targets or {}),
        manual={
            leaf_id: ManualEntry(points=value, note="经考核组评定", event_id=f"ev-manual-{leaf_id}")
            for leaf_id, value in (entered or {}).items()
        },
        adjustments=list(adjustments),
    )


def own_score(
    scheme: Scheme, period: Period, facts: Sequence[Fact] = (), **kw: Any
) -> tuple[float, Explanation]:
    own, vetoed, explanation = score_own(scoring_input(scheme, period, facts, **kw))
    assert not vetoed
    return own, explanation


def line(explanation: Explanation, line_id: str) -> Line:
    (found,) = [
        item
        for item in (
            *explanation.indicators,
            *explanation.deductions,
            *explanation.bonuses,
            *explanation.vetoes,
            *explanation.adjustments,
        )
        if item.id == line_id
    ]
    return found


def subjects(item: Line) -> list[str]:
    return [ref.subject for ref in item.facts]


# --- quota --------------------------------------------------------------------------------------


def test_quota_surplus_in_one_month_does_not_make_up_another():
    scheme = make_scheme(quota("study", 6, required=1, per_missing=0.5))
    facts = [activity(1, date(2025, 1, 6)), activity(2, date(2025, 1, 20)), activity(3, date(2025, 3, 12))]

    own, explanation = own_score(scheme, Q1, facts)

    # Jan 2 ≥ 1, Feb 0 < 1 (1 missing), Mar 1 ≥ 1: 1 missing × 0.5 = 0.5 off → 6 − 0.5 = 5.5
    # (pooled over the quarter, 3 done ≥ 3 required, it would wrongly be 6)
    assert line(explanation, "study").points == 5.5
    assert own == 5.5  # the only indicator: 5.5 × 6/6
    assert line(explanation, "study").inputs == {
        "per": "month",
        "checks": [
            {"period": "2025-01", "required": 1, "done": 2, "missing": 0},
            {"period": "2025-02", "required": 1, "done": 0, "missing": 1},
            {"period": "2025-03", "required": 1, "done": 1, "missing": 0},
        ],
        "missing": 1,
        "per_missing": 0.5,
    }
    assert subjects(line(explanation, "study")) == ["activity:a-1", "activity:a-2", "activity:a-3"]


def test_quota_shortfall_is_capped_at_the_leaf_points():
    scheme = make_scheme(quota("study", 2, required=2, per_missing=0.5), manual("base", 8))
    facts = [activity(1, date(2025, 2, 10))]

    own, explanation = own_score(scheme, Q1, facts, entered={"base": 8})

    # missing: Jan 2, Feb 1, Mar 2 = 5 × 0.5 = 2.5 off, but at most the 2 points → 2 − 2 = 0
    assert line(explanation, "study").points == 0
    assert line(explanation, "study").inputs["missing"] == 5
    assert own == 8  # 0 + 8, scale 10/10 — the excess 0.5 is not taken from other indicators


def test_quarterly_quota_in_a_year_checks_each_quarter():
    scheme = make_scheme(quota("seminars", 8, kind="seminar", per="quarter", required=1, per_missing=2))
    facts = [
        activity(1, date(2025, 2, 10), kind="seminar"),
        activity(2, date(2025, 8, 1), kind="seminar"),
        activity(3, date(2025, 8, 20), kind="seminar"),
    ]

    own, explanation = own_score(scheme, YEAR, facts)

    # Q1 1, Q2 0 (1 missing), Q3 2, Q4 0 (1 missing): 2 × 2 = 4 off → 8 − 4 = 4
    assert own == 4
    checks = line(explanation, "seminars").inputs["checks"]
    assert [(c["period"], c["done"], c["missing"]) for c in checks] == [
        ("2025-Q1", 1, 0),
        ("2025-Q2", 0, 1),
        ("2025-Q3", 2, 0),
        ("2025-Q4", 0, 1),
    ]


def talks_scheme() -> Scheme:
    return make_scheme(quota("talks", 10, kind=TALK, required=None, per_missing=2), manual("innovation", 10))


def test_quota_takes_the_required_count_from_the_outreach_target():
    facts = [activity(1, date(2025, 2, 14), kind=TALK), activity(2, date(2025, 3, 5), kind=TALK)]
    targets = {(TALK, Cadence.MONTH): 2}

    own, explanation = own_score(talks_scheme(), MARCH, facts, targets=targets, entered={"innovation": 7})
    # March: 1 done of 2 → 1 missing × 2 = 2 off → 10 − 2 = 8; + 7 = 15, scale 20/20
    assert line(explanation, "talks").points == 8
    assert line(explanation, "talks").inputs["checks"] == [
        {"period": "2025-03", "required": 2, "done": 1, "missing": 1}
    ]
    assert own == 15

    own, explanation = own_score(talks_scheme(), Q1, facts, targets=targets, entered={"innovation": 7})
    # Jan 0 (2 missing), Feb 1 (1), Mar 1 (1): 4 × 2 = 8 off → 10 − 8 = 2; + 7 = 9
    assert line(explanation, "talks").points == 2
    assert own == 9


@pytest.mark.parametrize(
    "targets",
    [
        {},  # no target at all
        {("seminar", Cadence.MONTH): 3},  # a target for another kind
        {(TALK, Cadence.QUARTER): 6},  # a target, but per quarter while the quota checks each month
        {(TALK, Cadence.MONTH): 0},  # a target of nothing
    ],
)
def test_quota_without_a_target_is_not_applicable_and_scaled_away(targets):
    facts = [activity(1, date(2025, 3, 5), kind=TALK)]

    own, explanation = own_score(talks_scheme(), MARCH, facts, targets=targets, entered={"innovation": 7})

    # only 工作创新 applies: 7 of 10 applicable points × 20/10 = 14
    assert own == 14
    assert [item.id for item in explanation.indicators] == ["innovation"]
    assert explanation.applicable_points == 10
    assert explanation.scale == 2


def quarterly_and_rate_scheme() -> Scheme:
    return make_scheme(
        quota("seminars", 50, kind="seminar", per="quarter", required=1, per_missing=25),
        on_time_rate("on_time", 50),
    )


def four_of_five_on_time_in_february() -> list[Fact]:
    return [
        *(case(n, date(2025, 2, n), closed=True, on_time=True) for n in range(1, 5)),
        case(5, date(2025, 2, 20), closed=True, on_time=False),
    ]


def test_quarterly_quota_is_not_applicable_in_a_month():
    own, explanation = own_score(quarterly_and_rate_scheme(), FEBRUARY, four_of_five_on_time_in_february())

    # the rate earns 50 × 4/5 = 40; the quarterly quota is not judged in February:
    # own = 40 × 100/50 = 80
    assert line(explanation, "on_time").points == 40
    assert own == 80
    assert [item.id for item in explanation.indicators] == ["on_time"]
    assert explanation.applicable_points == 50
    assert explanation.scale == 2


def test_quarterly_quota_counts_in_its_quarter():
    own, explanation = own_score(quarterly_and_rate_scheme(), Q1, four_of_five_on_time_in_february())

    # no seminar in Q1: 1 missing × 25 → 50 − 25 = 25; the rate 40; scale 100/100 → 65
    assert line(explanation, "seminars").points == 25
    assert own == 65
    assert explanation.scale == 1


def test_indicator_assessed_only_in_some_periods_is_scaled_away_in_others():
    scheme = make_scheme(manual("annual", 20, periods=["year"]), manual("monthly", 80))

    own, explanation = own_score(scheme, MARCH, entered={"annual": 10, "monthly": 60})
    # March: only the monthly one, 60 × 100/80 = 75
    assert own == 75
    assert explanation.applicable_points == 80
    assert explanation.scale == 1.25

    own, _ = own_score(scheme, YEAR, entered={"annual": 10, "monthly": 60})
    assert own == 70  # the year: 10 + 60, scale 1


# --- rate ---------------------------------------------------------------------------------------


def test_rate_counts_the_numerator_among_the_denominator_with_where_filters():
    scheme = make_scheme(on_time_rate("on_time", 20))
    facts = [
        case(1, date(2025, 1, 3), closed=True, on_time=True),
        case(2, date(2025, 1, 9), closed=True, on_time=True),
        case(3, date(2025, 2, 1), closed=True, on_time=False),  # closed late
        case(4, date(2025, 2, 7), closed=False, on_time=False),  # still open: not due in the rate
        case(7, date(2025, 3, 30), closed=True, on_time=True),
        case(8, date(2025, 4, 2), closed=True, on_time=False),  # next quarter
        fact("rectification:r-1", Metric.RECTIFICATION, date(2025, 3, 1), closed=True, on_time=False),
    ]

    own, explanation = own_score(scheme, Q1, facts)

    # closed in Q1: c-1, c-2, c-3, c-7 = 4; of them on time: c-1, c-2, c-7 = 3 → 20 × 3/4 = 15
    assert own == 15
    item = line(explanation, "on_time")
    assert item.inputs == {"numerator": 3, "denominator": 4}
    assert item.note == "3/4"
    assert subjects(item) == ["case:c-1", "case:c-2", "case:c-3", "case:c-7"]


def test_rate_with_nothing_due_gives_full_or_zero_as_written():
    scheme = make_scheme(
        on_time_rate("opinion", 10, when_none="full"),
        {
            "id": "rectification",
            "name": "整改按期完成率",
            "kind": "rate",
            "points": 10,
            "numerator": {"metric": "rectification", "where": {"on_time": True}},
            "denominator": {"metric": "rectification"},
            "when_none": "zero",
        },
    )
    facts = [
        fact("rectification:r-1", Metric.RECTIFICATION, date(2024, 12, 30), closed=True, on_time=True),
        case(1, date(2025, 1, 5), closed=False, on_time=False),  # open: not due yet
    ]

    own, explanation = own_score(scheme, Q1, facts)

    # opinion: nothing closed → full 10; rectification: nothing due in Q1 → 0; 10 + 0 = 10
    assert line(explanation, "opinion").points == 10
    assert line(explanation, "rectification").points == 0
    assert own == 10
    assert line(explanation, "rectification").note == "nothing due: zero points"


def test_two_thirds_of_ten_points_is_6_67():
    scheme = make_scheme(on_time_rate("on_time", 10))
    facts = [
        case(1, date(2025, 3, 1), closed=True, on_time=True),
        case(2, date(2025, 3, 2), closed=True, on_time=True),
        case(3, date(2025, 3, 3), closed=True, on_time=False),
    ]
    own, explanation = own_score(scheme, MARCH, facts)
    assert line(explanation, "on_time").points == 6.67  # 10 × 2/3 = 6.666… → 6.67
    assert own == 6.67


# --- coverage -----------------------------------------------------------------------------------


def coverage_facts() -> list[Fact]:
    web = "website"
    return [
        fact("outlet:o-1", Metric.OUTLET, date(2024, 5, 1), kind=web),
        fact("gap:o-1:2025-03-10", Metric.COVERAGE_GAP, date(2025, 3, 10), outlet_id="o-1"),  # open
        fact("outlet:o-2", Metric.OUTLET, date(2025, 1, 10), kind=web),
        # a gap closed on 15 March, before the period's end: o-2 is covered on 31 March
        fact(
            "gap:o-2:2025-02-01",
            Metric.COVERAGE_GAP,
            date(2025, 2, 1),
            until=date(2025, 3, 15),
            outlet_id="o-2",
        ),
        # closed on 20 March: not in the population on 31 March
        fact("outlet:o-3", Metric.OUTLET, date(2024, 1, 1), until=date(2025, 3, 20), kind=web),
        fact("outlet:o-4", Metric.OUTLET, date(2025, 4, 2), kind=web),  # registered after the quarter
        fact("outlet:o-6", Metric.OUTLET, date(2024, 1, 1), kind=web),
        # a gap closed on the last day itself (alive on_date ≤ day < until): not open on 31 March
        fact(
            "gap:o-6:2025-03-01",
            Metric.COVERAGE_GAP,
            date(2025, 3, 1),
            until=date(2025, 3, 31),
            outlet_id="o-6",
        ),
        fact("outlet:o-7", Metric.OUTLET, date(2024, 2, 1), kind=web),
        fact(
            "gap:o-7:2025-03-31", Metric.COVERAGE_GAP, date(2025, 3, 31), outlet_id="o-7"
        ),  # opened that day
        fact("outlet:o-8", Metric.OUTLET, date(2024, 2, 1), kind="bulletin_board"),  # not selected
    ]


def coverage_scheme() -> Scheme:
    return make_scheme(
        {
            "id": "coverage",
            "name": "阵地责任覆盖",
            "kind": "coverage",
            "points": 12,
            "population": {"metric": "outlet", "where": {"kind": "website"}},
            "gaps": {"metric": "coverage_gap"},
        }
    )


def test_coverage_is_the_share_of_outlets_alive_on_the_last_day_with_no_gap_open():
    own, explanation = own_score(coverage_scheme(), Q1, coverage_facts())

    # on 2025-03-31 the websites alive are o-1, o-2, o-6, o-7 (o-3 closed, o-4 not yet, o-8 a board);
    # gaps open that day: o-1's and o-7's → covered o-2, o-6: 12 × 2/4 = 6
    assert own == 6
    item = line(explanation, "coverage")
    assert item.inputs == {"as_of": "2025-03-31", "covered": 2, "population": 4}
    assert set(subjects(item)) == {
        "outlet:o-1",
        "outlet:o-2",
        "outlet:o-6",
        "outlet:o-7",
        "gap:o-1:2025-03-10",
        "gap:o-7:2025-03-31",
    }
    # March ends on the same day as Q1: the same 6
    assert own_score(coverage_scheme(), MARCH, coverage_facts())[0] == 6


def test_coverage_in_february_looks_at_the_28th():
    own, explanation = own_score(coverage_scheme(), FEBRUARY, coverage_facts())

    # on 2025-02-28: websites alive o-1, o-2, o-3 (closes 20 March), o-6, o-7 = 5;
    # the only gap open is o-2's (1 Feb – 15 Mar) → 4 covered: 12 × 4/5 = 9.6
    assert own == 9.6
    assert line(explanation, "coverage").inputs == {"as_of": "2025-02-28", "covered": 4, "population": 5}


# --- manual -------------------------------------------------------------------------------------


def test_manual_points_are_capped_and_unentered_is_zero():
    scheme = make_scheme(manual("innovation", 10), manual("publicity", 10), manual("culture", 10))

    own, explanation = own_score(scheme, Q1, entered={"innovation": 12, "publicity": 7.5, "gone": 5})

    # innovation 12 → at most 10; publicity 7.5; culture not entered → 0; "gone" is no indicator:
    # 10 + 7.5 + 0 = 17.5
    assert [item.points for item in explanation.indicators] == [10, 7.5, 0]
    assert own == 17.5
    assert line(explanation, "innovation").inputs == {"entered": 12, "event": "ev-manual-innovation"}
    assert line(explanation, "culture").inputs == {"entered": None, "event": None}
    assert line(explanation, "culture").note == "not scored yet"


# --- deductions, bonuses ------------------------------------------------------------------------


def test_deductions_per_fact_up_to_their_cap():
    scheme = make_scheme(
        manual("base", 100),
        deductions=[
            {
                "id": "overdue",
                "name": "舆情处置超时",
                "select": {"metric": "opinion_overdue"},
                "per_fact": 2,
                "cap": 5,
            },
            {
                "id": "findings",
                "name": "负面清单问题",
                "select": {"metric": "finding"},
                "per_fact": 1.5,
                "cap": 10,
            },
        ],
    )
    facts = [
        *(
            fact(f"overdue:c-{n}", Metric.OPINION_OVERDUE, date(2025, 3, n), deadline="close", severity="III")
            for n in range(1, 5)
        ),
        fact("overdue:c-9", Metric.OPINION_OVERDUE, date(2025, 4, 1), deadline="close", severity="III"),
        fact("finding:i-1:f-1", Metric.FINDING, date(2025, 1, 7), item="political", outlet_id="o-1"),
        fact("finding:i-1:f-2", Metric.FINDING, date(2025, 1, 7), item="privacy", outlet_id="o-2"),
    ]

    own, explanation = own_score(scheme, Q1, facts, entered={"base": 90})

    # overdue: 4 in Q1 (the 5th is in April) × 2 = 8 → 扣满5分为止 → −5; findings: 2 × 1.5 = −3
    # 90 − 5 − 3 = 82
    assert line(explanation, "overdue").points == -5
    assert line(explanation, "overdue").inputs == {"facts": 4, "per_fact": 2, "cap": 5}
    assert "capped at 5" in line(explanation, "overdue").note
    assert line(explanation, "findings").points == -3
    assert own == 82


def bonus_scheme() -> Scheme:
    return make_scheme(
        manual("base", 100),
        bonuses=[
            {
                "id": "website_posts",
                "name": "门户网站稿件",
                "select": {"metric": "publication", "where": {"outlet_id": "o-1"}},
                "threshold": 3,
                "per_unit": 0.5,
                "cap": 2,
            },
            {
                "id": "audience",
                "name": "宣讲覆盖面",
                "select": {"metric": "activity", "where": {"kind": TALK}},
                "measure": {"sum": "audience"},
                "threshold": 1000,
                "per_unit": 0.01,
                "cap": 3,
            },
        ],
    )


def publication(n: int, on: date, outlet: str = "o-1") -> Fact:
    return fact(f"publication:p-{n}", Metric.PUBLICATION, on, views=100, outlet_id=outlet)


def test_bonuses_count_only_above_their_threshold():
    facts = [
        *(publication(n, date(2025, 3, n)) for n in range(1, 6)),
        publication(6, date(2025, 3, 6), outlet="o-2"),  # another outlet: not selected
        activity(1, date(2025, 3, 3), kind=TALK, audience=400),
        activity(2, date(2025, 3, 10), kind=TALK, audience=500),
        activity(3, date(2025, 3, 17), kind=TALK, audience=350),
        activity(4, date(2025, 3, 18), kind=STUDY, audience=5000),  # not a talk
    ]

    own, explanation = own_score(bonus_scheme(), MARCH, facts, entered={"base": 80})

    # posts: 5 on o-1, (5 − 3) × 0.5 = 1; audience: 400 + 500 + 350 = 1250, (1250 − 1000) × 0.01 = 2.5
    # 80 + 1 + 2.5 = 83.5
    assert line(explanation, "website_posts").points == 1
    assert line(explanation, "audience").points == 2.5
    assert line(explanation, "audience").inputs == {
        "value": 1250,
        "threshold": 1000,
        "per_unit": 0.01,
        "cap": 3,
    }
    assert own == 83.5


def test_bonuses_at_the_threshold_give_nothing_and_are_capped_above():
    facts = [
        *(publication(n, date(2025, 3, n)) for n in range(1, 4)),
        activity(1, date(2025, 3, 3), kind=TALK, audience=1800),
        activity(2, date(2025, 3, 10), kind=TALK, audience=2000),
    ]

    own, explanation = own_score(bonus_scheme(), MARCH, facts, entered={"base": 80})

    # posts: 3, not above 3 → 0; audience 3800: (3800 − 1000) × 0.01 = 28 → at most 3; 80 + 0 + 3 = 83
    assert line(explanation, "website_posts").points == 0
    assert line(explanation, "website_posts").note == "not above the threshold"
    assert line(explanation, "audience").points == 3
    assert own == 83


# --- vetoes and ranking ----------------------------------------------------------------------------


def veto_scheme() -> Scheme:
    return make_scheme(
        manual("base", 100),
        vetoes=[
            {
                "id": "major_overdue",
                "name": "特别重大舆情处置超时",
                "select": {"metric": "opinion_case", "where": {"severity": "I", "overdue": True}},
            }
        ],
    )


def test_a_veto_fact_fails_the_unit_but_the_points_are_still_computed():
    facts = [
        case(1, date(2025, 3, 4), closed=True, on_time=False, severity="I", overdue=True),
        case(2, date(2025, 3, 5), closed=True, on_time=False, severity="II", overdue=True),  # not grade I
    ]

    own, vetoed, explanation = score_own(scoring_input(veto_scheme(), MARCH, facts, entered={"base": 95}))

    assert vetoed is True
    assert own == 95  # 95, unchanged by the veto
    (struck,) = explanation.vetoes
    assert (struck.id, struck.kind, struck.note) == ("major_overdue", "veto", "一票否决")
    assert struck.facts == [FactRef(subject="case:c-1", on_date=date(2025, 3, 4), events=["ev-case:c-1"])]


def test_a_veto_fact_of_another_period_or_grade_does_not_strike():
    facts = [
        case(1, date(2025, 2, 27), closed=True, on_time=False, severity="I", overdue=True),  # February
        case(2, date(2025, 3, 5), closed=True, on_time=True, severity="I", overdue=False),  # on time
    ]
    own, vetoed, explanation = score_own(scoring_input(veto_scheme(), MARCH, facts, entered={"base": 95}))
    assert (own, vetoed, explanation.vetoes) == (95, False, [])


def test_rank_puts_vetoed_units_after_all_others_and_ties_share_a_rank():
    ranks = rank(
        [
            ("3205.320506", 95.0, True),
            ("3205.320507", 80.0, False),
            ("3205.320508", 80.0, False),
            ("3205.320509", 70.0, False),
            ("3205.320510", 95.0, True),
            ("3205.320511", 60.0, True),
        ]
    )
    # not vetoed: 80, 80 → 1, 1; 70 → 3; then the vetoed, 95 and 95 → 4, 4 (above 80, still after); 60 → 6
    assert ranks == {
        "3205.320507": 1,
        "3205.320508": 1,
        "3205.320509": 3,
        "3205.320506": 4,
        "3205.320510": 4,
        "3205.320511": 6,
    }


def test_rank_of_three_with_a_tie_on_top_is_1_1_3():
    assert rank([("a", 90.5, False), ("b", 90.5, False), ("c", 88.0, False)]) == {"a": 1, "b": 1, "c": 3}


# --- adjustments and the floor ------------------------------------------------------------------


def test_adjustments_add_and_subtract():
    adjustments = [
        Adjustment(points=3, reason="经复核加分", event_id="ev-adj-1"),
        Adjustment(points=-1.5, reason="材料报送迟报", event_id="ev-adj-2"),
    ]
    own, explanation = own_score(
        make_scheme(manual("base", 100)), Q1, entered={"base": 80}, adjustments=adjustments
    )

    assert own == 81.5  # 80 + 3 − 1.5
    assert [(a.id, a.name, a.points, a.note) for a in explanation.adjustments] == [
        ("adjustment_1", "经复核加分", 3, "ev-adj-1"),
        ("adjustment_2", "材料报送迟报", -1.5, "ev-adj-2"),
    ]


def test_a_score_never_goes_below_zero():
    scheme = make_scheme(
        manual("base", 100),
        deductions=[
            {
                "id": "findings",
                "name": "负面清单问题",
                "select": {"metric": "finding"},
                "per_fact": 1,
                "cap": 20,
            }
        ],
    )
    facts = [
        fact(f"finding:i-1:f-{n}", Metric.FINDING, date(2025, 3, 1), item="political") for n in range(25)
    ]
    adjustments = [Adjustment(points=-5, reason="通报批评", event_id="ev-adj-1")]

    own, explanation = own_score(scheme, MARCH, facts, entered={"base": 10}, adjustments=adjustments)

    # 10 − min(25 × 1, 20) − 5 = −15 → 0
    assert line(explanation, "findings").points == -20
    assert own == 0


# --- which facts count -------------------------------------------------------------------------


def test_facts_count_in_the_period_of_their_local_date():
    scheme = make_scheme(quota("study", 3, required=1, per_missing=1))
    new_years_morning = local_date(datetime(2024, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 Jan in Shanghai
    april_fools_midnight = local_date(datetime(2025, 3, 31, 17, 0, tzinfo=UTC))  # 01:00 on 1 April
    assert (new_years_morning, april_fools_midnight) == (date(2025, 1, 1), date(2025, 4, 1))
    facts = [
        activity(1, new_years_morning),
        activity(2, april_fools_midnight),
        activity(3, date(2024, 12, 31)),  # last year
        activity(4, date(2025, 2, 14), kind="seminar"),  # another kind
        publication(1, date(2025, 2, 15)),  # another metric
        fact("activity:a-5", Metric.ACTIVITY, date(2025, 3, 3), audience=20),  # no kind at all
    ]

    own, explanation = own_score(scheme, Q1, facts)

    # Q1: only a-1 counts (January): Feb 1 missing, Mar 1 missing → 2 × 1 off → 3 − 2 = 1
    assert own == 1
    assert [c["done"] for c in line(explanation, "study").inputs["checks"]] == [1, 0, 0]
    assert subjects(line(explanation, "study")) == ["activity:a-1"]

    # a-2 counts in April instead: Q2 is Apr 1, May 0, Jun 0 → 3 − 2 = 1, from a-2
    own, explanation = own_score(scheme, parse_period("2025-Q2"), facts)
    assert own == 1
    assert subjects(line(explanation, "study")) == ["activity:a-2"]


def test_interval_facts_count_for_dated_rules_by_the_day_they_began_whether_closed_since_or_not():
    scheme = make_scheme(
        manual("base", 100),
        deductions=[
            {
                "id": "gaps",
                "name": "阵地无人负责",
                "select": {"metric": "coverage_gap"},
                "per_fact": 1,
                "cap": 5,
            }
        ],
    )
    opened_and_open = fact("gap:o-1:2025-02-03", Metric.COVERAGE_GAP, date(2025, 2, 3), outlet_id="o-1")
    opened_and_closed = fact(
        "gap:o-2:2025-02-10", Metric.COVERAGE_GAP, date(2025, 2, 10), until=date(2025, 2, 20), outlet_id="o-2"
    )
    opened_before = fact("gap:o-3:2024-12-01", Metric.COVERAGE_GAP, date(2024, 12, 1), outlet_id="o-3")
    facts = [opened_and_open, opened_and_closed, opened_before]

    own, explanation = own_score(scheme, Q1, facts, entered={"base": 100})

    # opened in Q1: o-1's and o-2's (closing it later does not undo that it opened) → 2 × 1: 100 − 2 = 98
    assert own == 98
    assert subjects(line(explanation, "gaps")) == ["gap:o-1:2025-02-03", "gap:o-2:2025-02-10"]


# --- roll-up and rounding ------------------------------------------------------------------------


def rolled(own: float, rollup: dict[str, float], children: list[ChildScore]):
    scheme = make_scheme(manual("base", 100), rollup=rollup)
    return score_unit(scoring_input(scheme, Q1, entered={"base": own}), children)


def test_rollup_combines_own_with_the_mean_of_the_children():
    children = [
        ChildScore(unit="3205.320506.320506002", total=70, vetoed=False),
        ChildScore(unit="3205.320506.320506001", total=90, vetoed=False),
    ]
    score = rolled(80, {"own": 0.4, "children": 0.6}, children)

    # mean (90 + 70)/2 = 80 → 80 × 0.4 + 80 × 0.6 = 32 + 48 = 80
    assert (score.own, score.total, score.vetoed) == (80, 80, False)
    assert score.unit == UNIT
    assert score.period == "2025-Q1"
    assert [c.unit for c in score.explanation.children] == ["3205.320506.320506001", "3205.320506.320506002"]
    assert score.explanation.rollup == {"own": 0.4, "children": 0.6}


def test_rollup_with_asymmetric_weights():
    children = [
        ChildScore(unit="3205.320506.320506001", total=100, vetoed=False),
        ChildScore(
            unit="3205.320506.320506002", total=90, vetoed=True
        ),  # a vetoed child's total still counts
    ]
    score = rolled(60, {"own": 0.25, "children": 0.75}, children)
    # mean 95 → 60 × 0.25 + 95 × 0.75 = 15 + 71.25 = 86.25
    assert score.total == 86.25
    assert score.own == 60


def test_rollup_rounds_the_exact_half_up():
    children = [
        ChildScore(unit="3205.320506.320506001", total=90.3, vetoed=False),
        ChildScore(unit="3205.320506.320506002", total=80, vetoed=False),
    ]
    score = rolled(80, {"own": 0.3, "children": 0.7}, children)
    # mean 85.15 → 80 × 0.3 + 85.15 × 0.7 = 24 + 59.605 = 83.605 → 83.61
    # (binary floats make it 83.60499… and would round it down to 83.6)
    assert score.total == 83.61


def test_without_children_the_total_is_the_own_score():
    score = rolled(77.5, {"own": 0.4, "children": 0.6}, [])
    assert (score.own, score.total) == (77.5, 77.5)
    assert score.explanation.children == []
    assert score.explanation.rollup == {}


@pytest.mark.parametrize(
    ("value", "published"),
    [
        (20 / 3, 6.67),  # 6.666…
        (10 / 3, 3.33),  # 3.333…
        (2.675, 2.68),  # a half rounds up (round() gives 2.67: the float is 2.67499…)
        (0.125, 0.13),  # a half rounds up (banker's rounding would give 0.12)
        (1.005, 1.01),
        (83.32, 83.32),
        (100, 100),
    ],
)
def test_points_are_published_with_two_decimals_half_up(value, published):
    assert points(value) == published


def test_a_scaled_score_rounds_the_exact_half_up():
    scheme = make_scheme(
        quota("seminars", 60, kind="seminar", per="quarter", required=1, per_missing=10),
        manual("innovation", 40),
    )
    own, explanation = own_score(scheme, MARCH, entered={"innovation": 33.33})
    # the quarterly quota is not judged in March: 33.33 × 100/40 = 83.325 → 83.33
    # (in binary floats 33.33 × 2.5 is 83.32499… and would round down)
    assert own == 83.33
    assert explanation.scale == 2.5


# --- a whole scheme: the bureau's rules, explained -----------------------------------------------


def bureau_facts() -> list[Fact]:
    return [
        # 中心组学习: Jan 1, Feb 0, Mar 2 (and one last December)
        activity(1, date(2025, 1, 8)),
        activity(2, date(2025, 3, 5)),
        activity(3, date(2025, 3, 26)),
        activity(6, date(2024, 12, 30)),
        # 宣讲
        activity(4, date(2025, 2, 5), kind=TALK, audience=300),
        activity(5, date(2025, 3, 12), kind=TALK, audience=450),
        # 舆情
        case(1, date(2025, 1, 10), closed=True, on_time=True),
        case(2, date(2025, 2, 11), closed=True, on_time=True, severity="III"),
        case(3, date(2025, 3, 3), closed=True, on_time=True),
        fact(
            "case:c-4",
            Metric.OPINION_CASE,
            date(2025, 3, 20),
            events=("ev-c4-captured", "ev-c4-graded", "ev-c4-closed"),
            severity="II",
            category="policy",
            closed=True,
            closed_on_time=False,
            overdue=True,
        ),
        case(5, date(2025, 3, 28), closed=False, on_time=False, severity="II", overdue=True),
        fact(
            "overdue:c-1:acknowledge",
            Metric.OPINION_OVERDUE,
            date(2025, 1, 15),
            deadline="acknowledge",
            severity="IV",
        ),
        fact("overdue:c-4:close", Metric.OPINION_OVERDUE, date(2025, 3, 21), deadline="close", severity="II"),
        fact(
            "overdue:c-5:first_response",
            Metric.OPINION_OVERDUE,
            date(2025, 3, 22),
            deadline="first_response",
            severity="II",
        ),
        # 阵地
        fact("outlet:o-1", Metric.OUTLET, date(2024, 3, 1), kind="website"),
        fact("outlet:o-2", Metric.OUTLET, date(2024, 6, 1), kind="wechat_account"),
        fact("outlet:o-3", Metric.OUTLET, date(2025, 2, 1), kind="bulletin_board"),
        fact("outlet:o-4", Metric.OUTLET, date(2023, 1, 1), until=date(2025, 1, 31), kind="website"),
        fact("gap:o-3:2025-03-15", Metric.COVERAGE_GAP, date(2025, 3, 15), outlet_id="o-3"),
        # 整改
        fact(
            "rectification:r-1",
            Metric.RECTIFICATION,
            date(2025, 2, 28),
            item="political",
            closed=True,
            on_time=True,
            overdue=False,
        ),
        fact(
            "rectification:r-2",
            Metric.RECTIFICATION,
            date(2025, 3, 25),
            item="privacy",
            closed=False,
            on_time=False,
            overdue=True,
        ),
    ]


def bureau_input(period: Period, facts: Sequence[Fact] | None = None) -> ScoringInput:
    return scoring_input(
        bureau_scheme(),
        period,
        bureau_facts() if facts is None else facts,
        targets={(TALK, Cadence.QUARTER): 3},
        entered={"innovation": 16},
    )


def test_bureau_scheme_scores_a_quarter():
    own, vetoed, explanation = score_own(bureau_input(Q1))

    # 中心组学习 Jan 1, Feb 0, Mar 2: 1 missing × 0.5 → 15 − 0.5 = 14.5
    # 宣讲 target 3 a quarter, 2 held: 1 missing × 2 → 10 − 2 = 8
    # 舆情办结及时率 closed c-1…c-4, on time c-1…c-3: 20 × 3/4 = 15
    # 阵地责任覆盖 on 31 Mar o-1, o-2, o-3 (o-4 closed), o-3 has a gap: 20 × 2/3 = 13.333… → 13.33
    # 整改按期完成率 r-1 on time, r-2 overdue: 15 × 1/2 = 7.5
    # 工作创新 16
    # 14.5 + 8 + 15 + 13.33 + 7.5 + 16 = 74.33 (all 100 points applicable, scale 1)
    # 舆情处置超时 3 × 1 = −3; 宣讲覆盖面 300 + 450 = 750, (750 − 500) × 0.01 = +2.5
    # own = 74.33 − 3 + 2.5 = 73.83
    assert [(item.id, item.points) for item in explanation.indicators] == [
        ("central_group_study", 14.5),
        ("outreach_talks", 8),
        ("opinion_closed_on_time", 15),
        ("outlet_coverage", 13.33),
        ("rectification_on_time", 7.5),
        ("innovation", 16),
    ]
    assert [(item.id, item.points) for item in explanation.deductions] == [("opinion_overdue", -3)]
    assert [(item.id, item.points) for item in explanation.bonuses] == [("outreach_audience", 2.5)]
    assert (explanation.applicable_points, explanation.scale) == (100, 1)
    assert own == 73.83
    assert vetoed is False
    assert explanation.vetoes == []
    assert explanation.scheme_version == 3


def test_bureau_scheme_scores_a_month_with_quarterly_indicators_scaled_away():
    own, vetoed, explanation = score_own(bureau_input(MARCH))

    # March: 宣讲 (per quarter) and 工作创新 (quarters and years) are not assessed; applicable
    # 15 + 20 + 20 + 15 = 70
    # 中心组学习 2 ≥ 1 → 15; 舆情 c-3 on time, c-4 late → 20 × 1/2 = 10; 阵地 13.33 (same 31 March);
    # 整改 r-2 overdue → 15 × 0/1 = 0 → 38.33 × 100/70 = 54.757…
    # 舆情处置超时 c-4 (21 Mar), c-5 (22 Mar) → −2; 宣讲覆盖面 450 ≤ 500 → 0
    # own = 54.757… − 2 = 52.757… → 52.76
    assert [(item.id, item.points) for item in explanation.indicators] == [
        ("central_group_study", 15),
        ("opinion_closed_on_time", 10),
        ("outlet_coverage", 13.33),
        ("rectification_on_time", 0),
    ]
    assert explanation.applicable_points == 70
    assert explanation.scale == 1.43  # 100/70 = 1.428…
    assert own == 52.76
    assert vetoed is False


def test_bureau_scheme_veto_and_rollup():
    facts = [
        *(f for f in bureau_facts() if f.subject != "case:c-5"),
        case(5, date(2025, 3, 28), closed=False, on_time=False, severity="I", overdue=True),  # now grade I
    ]
    children = [
        ChildScore(unit="3205.320506.320506001", total=80, vetoed=False),
        ChildScore(unit="3205.320506.320506002", total=85.5, vetoed=False),
    ]

    score = score_unit(bureau_input(Q1, facts), children)

    # own as before, 73.83 (the grade does not enter the points), but vetoed;
    # children mean (80 + 85.5)/2 = 82.75 → 73.83 × 0.4 + 82.75 × 0.6 = 29.532 + 49.65 = 79.182 → 79.18
    assert score.own == 73.83
    assert score.vetoed is True
    assert score.total == 79.18
    assert [v.id for v in score.explanation.vetoes] == ["major_opinion_overdue"]
    assert subjects(score.explanation.vetoes[0]) == ["case:c-5"]


def test_the_explanation_lists_every_indicators_inputs_and_the_facts_behind_it():
    _, _, explanation = score_own(bureau_input(Q1))

    study = line(explanation, "central_group_study")
    assert (study.kind, study.max_points) == ("quota", 15)
    assert study.inputs["missing"] == 1
    assert study.facts == [
        FactRef(subject="activity:a-1", on_date=date(2025, 1, 8), events=["ev-activity:a-1"]),
        FactRef(subject="activity:a-2", on_date=date(2025, 3, 5), events=["ev-activity:a-2"]),
        FactRef(subject="activity:a-3", on_date=date(2025, 3, 26), events=["ev-activity:a-3"]),
    ]

    talks = line(explanation, "outreach_talks")
    assert talks.inputs["checks"] == [{"period": "2025-Q1", "required": 3, "done": 2, "missing": 1}]
    assert subjects(talks) == ["activity:a-4", "activity:a-5"]

    opinion = line(explanation, "opinion_closed_on_time")
    assert (opinion.kind, opinion.max_points, opinion.inputs) == (
        "rate",
        20,
        {"numerator": 3, "denominator": 4},
    )
    assert subjects(opinion) == ["case:c-1", "case:c-2", "case:c-3", "case:c-4"]
    assert opinion.facts[-1].events == ["ev-c4-captured", "ev-c4-graded", "ev-c4-closed"]

    coverage = line(explanation, "outlet_coverage")
    assert (coverage.kind, coverage.inputs) == (
        "coverage",
        {"as_of": "2025-03-31", "covered": 2, "population": 3},
    )
    assert subjects(coverage) == ["outlet:o-1", "outlet:o-2", "outlet:o-3", "gap:o-3:2025-03-15"]

    rectification = line(explanation, "rectification_on_time")
    assert rectification.inputs == {"numerator": 1, "denominator": 2}
    assert subjects(rectification) == ["rectification:r-1", "rectification:r-2"]

    innovation = line(explanation, "innovation")
    assert (innovation.kind, innovation.max_points) == ("manual", 20)
    assert innovation.inputs == {"entered": 16, "event": "ev-manual-innovation"}

    overdue = line(explanation, "opinion_overdue")
    assert (overdue.kind, overdue.max_points, overdue.inputs) == (
        "deduction",
        10,
        {"facts": 3, "per_fact": 1, "cap": 10},
    )
    assert subjects(overdue) == ["overdue:c-1:acknowledge", "overdue:c-4:close", "overdue:c-5:first_response"]

    audience = line(explanation, "outreach_audience")
    assert (audience.kind, audience.inputs["value"]) == ("bonus", 750)
    assert subjects(audience) == ["activity:a-4", "activity:a-5"]

    # and it survives the trip into an event and back
    assert Explanation.model_validate_json(explanation.model_dump_json()) == explanation


# --- determinism ----------------------------------------------------------------------------------


def test_the_same_input_gives_the_same_score():
    children = [ChildScore(unit="3205.320506.320506001", total=80, vetoed=False)]
    first = score_unit(bureau_input(Q1), children)
    second = score_unit(bureau_input(Q1), children)
    assert first.model_dump() == second.model_dump()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_facts_in_another_order_give_the_same_score_and_explanation(seed):
    facts = bureau_facts()
    shuffled = list(facts)
    random.Random(seed).shuffle(shuffled)
    children = [
        ChildScore(unit="3205.320506.320506002", total=85.5, vetoed=False),
        ChildScore(unit="3205.320506.320506001", total=80, vetoed=False),
    ]

    expected = score_unit(bureau_input(Q1, facts), children)
    for order in (shuffled, list(reversed(facts))):
        again = score_unit(bureau_input(Q1, order), list(reversed(children)))
        assert again.model_dump() == expected.model_dump()

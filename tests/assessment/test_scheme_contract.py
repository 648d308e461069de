"""The scheme contract: what an assessor writes parses into a Scheme, and what is wrong is refused with a
message that says what and where (the metric, the attribute, the id), before anything is adopted."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from contracts.assessment import Coverage, Group, Manual, Metric, Quota, Rate, Scheme
from contracts.outreach import Cadence

# A bureau's own rules, as its assessors would write them: 市民政局意识形态工作责任制考核细则.
BUREAU_SCHEME_YAML = """
title: 市民政局意识形态工作责任制考核细则（2025年版）
appeal_window_days: 10
rollup: {own: 0.4, children: 0.6}   # 县区局得分 = 本级 × 40% + 所辖乡镇平均 × 60%
indicators:
  - id: leadership
    name: 组织领导
    children:
      - id: central_group_study
        name: 党组理论学习中心组学习
        kind: quota
        points: 15
        select: {metric: activity, where: {kind: central_group_study}}
        per: month
        required: 1               # 每月至少1次
        per_missing: 0.5          # 少1次扣0.5分，扣完为止
      - id: outreach_talks
        name: 宣讲活动
        kind: quota
        points: 10
        select: {metric: activity, where: {kind: outreach_talk}}
        per: quarter              # 次数按年度宣讲计划（目标）
        per_missing: 2
  - id: opinion
    name: 舆情处置
    children:
      - id: opinion_closed_on_time
        name: 舆情办结及时率
        kind: rate
        points: 20
        numerator: {metric: opinion_case, where: {closed: true, closed_on_time: true}}
        denominator: {metric: opinion_case, where: {closed: true}}
  - id: outlets
    name: 阵地管理
    children:
      - id: outlet_coverage
        name: 阵地责任覆盖
        kind: coverage
        points: 20
        population: {metric: outlet}
        gaps: {metric: coverage_gap}
      - id: rectification_on_time
        name: 整改按期完成率
        kind: rate
        points: 15
        numerator: {metric: rectification, where: {closed: true, on_time: true}}
        denominator: {metric: rectification}
        when_none: full
  - id: innovation
    name: 工作创新
    kind: manual
    points: 20
    periods: [quarter, year]      # 季度、年度考核时评定
deductions:
  - id: opinion_overdue
    name: 舆情处置超时
    select: {metric: opinion_overdue}
    per_fact: 1                   # 每超时1次扣1分
    cap: 10                       # 扣满10分为止
bonuses:
  - id: outreach_audience
    name: 宣讲覆盖面
    select: {metric: activity, where: {kind: outreach_talk}}
    measure: {sum: audience}
    threshold: 500                # 受众超过500人次的部分
    per_unit: 0.01                # 每人次加0.01分
    cap: 3                        # 最多加3分
vetoes:
  - id: major_opinion_overdue
    name: 特别重大舆情处置超时
    select: {metric: opinion_case, where: {severity: I, overdue: true}}
"""


def bureau_scheme() -> Scheme:
    return Scheme.model_validate(yaml.safe_load(BUREAU_SCHEME_YAML))


def minimal(**changes: Any) -> dict[str, Any]:
    """A valid scheme (one manual indicator) with the given top-level keys replaced."""
    body: dict[str, Any] = {
        "title": "测试细则",
        "indicators": [{"id": "innovation", "name": "工作创新", "kind": "manual", "points": 10}],
    }
    return body | changes


def refusal(body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        Scheme.model_validate(body)
    return str(caught.value)


# --- the bureau's scheme ------------------------------------------------------------------------


def test_bureau_scheme_parses_with_full_points_of_100():
    scheme = bureau_scheme()

    # 15 + 10 (组织领导 25) + 20 (舆情处置 20) + 20 + 15 (阵地管理 35) + 20 (工作创新) = 100
    assert scheme.points == 100
    assert [g.points for g in scheme.groups()] == [25, 20, 35]
    assert [leaf.id for leaf in scheme.leaves()] == [
        "central_group_study",
        "outreach_talks",
        "opinion_closed_on_time",
        "outlet_coverage",
        "rectification_on_time",
        "innovation",
    ]
    assert [type(leaf) for leaf in scheme.leaves()] == [Quota, Quota, Rate, Coverage, Rate, Manual]
    assert all(isinstance(group, Group) for group in scheme.groups())
    assert scheme.title == "市民政局意识形态工作责任制考核细则（2025年版）"
    assert (scheme.rollup.own, scheme.rollup.children) == (0.4, 0.6)
    assert scheme.appeal_window_days == 10


def test_bureau_scheme_reads_each_rule_as_written():
    scheme = bureau_scheme()
    study, talks, opinion, coverage, rectification, innovation = scheme.leaves()

    assert isinstance(study, Quota)
    assert (study.per, study.required, study.per_missing) == (Cadence.MONTH, 1, 0.5)
    assert study.periods == list(Cadence)  # assessed in every period unless told otherwise
    assert isinstance(talks, Quota)
    assert talks.required is None  # from the outreach target
    assert talks.per is Cadence.QUARTER
    assert isinstance(opinion, Rate)
    # YAML `true` stays a bool (it must equal the facts' bool attribute, not the string "true")
    assert opinion.numerator.where == {"closed": True, "closed_on_time": True}
    assert all(type(v) is bool for v in opinion.numerator.where.values())
    assert opinion.when_none == "full"
    assert isinstance(coverage, Coverage)
    assert (coverage.population.metric, coverage.gaps.metric) == (Metric.OUTLET, Metric.COVERAGE_GAP)
    assert isinstance(rectification, Rate)
    assert rectification.denominator.where == {}
    assert isinstance(innovation, Manual)
    assert innovation.periods == [Cadence.QUARTER, Cadence.YEAR]

    (overdue,) = scheme.deductions
    assert (overdue.select.metric, overdue.per_fact, overdue.cap) == (Metric.OPINION_OVERDUE, 1, 10)
    (audience,) = scheme.bonuses
    assert (audience.measure.sum, audience.threshold, audience.per_unit, audience.cap) == (
        "audience",
        500,
        0.01,
        3,
    )
    (veto,) = scheme.vetoes
    assert veto.select.where == {"severity": "I", "overdue": True}


def test_bureau_scheme_survives_a_json_round_trip():
    scheme = bureau_scheme()
    again = Scheme.model_validate(scheme.model_dump(mode="json"))
    assert again == scheme
    assert again.points == 100


# --- refusals -----------------------------------------------------------------------------------


def test_unknown_attribute_in_where_names_the_metric_and_the_attribute():
    body = minimal(
        indicators=[
            {
                "id": "opinion_closed_on_time",
                "name": "舆情办结及时率",
                "kind": "rate",
                "points": 20,
                "numerator": {"metric": "opinion_case", "where": {"closed_ontime": True}},
                "denominator": {"metric": "opinion_case"},
            }
        ]
    )
    message = refusal(body)
    assert "'opinion_case' facts have no attribute closed_ontime" in message
    assert "closed_on_time" in message  # and says which attributes there are
    assert "numerator" in message  # where in the scheme


def test_unknown_attribute_in_a_deduction_is_refused_too():
    body = minimal(
        deductions=[
            {
                "id": "late",
                "name": "超时",
                "select": {"metric": "opinion_overdue", "where": {"level": "I"}},
                "per_fact": 1,
                "cap": 5,
            }
        ]
    )
    message = refusal(body)
    assert "'opinion_overdue' facts have no attribute level" in message
    assert "deadline, severity" in message


@pytest.mark.parametrize(
    "changes",
    [
        # a leaf and a deduction
        {
            "deductions": [
                {
                    "id": "innovation",
                    "name": "扣分",
                    "select": {"metric": "finding"},
                    "per_fact": 1,
                    "cap": 5,
                }
            ]
        },
        # a group and a leaf below it
        {
            "indicators": [
                {
                    "id": "innovation",
                    "name": "工作创新",
                    "children": [{"id": "innovation", "name": "创新", "kind": "manual", "points": 10}],
                }
            ]
        },
        # two leaves
        {
            "indicators": [
                {"id": "innovation", "name": "工作创新", "kind": "manual", "points": 10},
                {"id": "innovation", "name": "工作创新二", "kind": "manual", "points": 10},
            ]
        },
        # a bonus and a veto
        {
            "bonuses": [
                {
                    "id": "extra",
                    "name": "加分",
                    "select": {"metric": "publication"},
                    "threshold": 0,
                    "per_unit": 1,
                    "cap": 2,
                }
            ],
            "vetoes": [{"id": "extra", "name": "否决", "select": {"metric": "finding"}}],
        },
    ],
)
def test_duplicate_ids_are_refused_by_name(changes):
    message = refusal(minimal(**changes))
    assert "is used twice in the scheme" in message
    assert "'innovation'" in message or "'extra'" in message


@pytest.mark.parametrize(("own", "children"), [(0.5, 0.6), (0.3, 0.3), (1, 0.1)])
def test_rollup_weights_must_add_up_to_one(own, children):
    message = refusal(minimal(rollup={"own": own, "children": children}))
    assert "own and children must add up to 1" in message


def test_rollup_weights_adding_up_to_one_in_decimals_are_accepted():
    scheme = Scheme.model_validate(minimal(rollup={"own": 0.7, "children": 0.3}))  # 0.7 + 0.3 ≠ 1 in floats
    assert (scheme.rollup.own, scheme.rollup.children) == (0.7, 0.3)


@pytest.mark.parametrize(
    "select",
    [
        {"metric": "activity"},  # activities, but of no kind: which target?
        {"metric": "activity", "where": {"audience": 100}},
        {"metric": "publication", "where": {"outlet_id": "o-1"}},  # targets are for activities only
    ],
)
def test_quota_without_required_must_select_activities_by_kind(select):
    body = minimal(
        indicators=[
            {
                "id": "talks",
                "name": "宣讲活动",
                "kind": "quota",
                "points": 10,
                "select": select,
                "per": "month",
                "per_missing": 1,
            }
        ]
    )
    message = refusal(body)
    assert "without `required`, a quota takes the outreach target" in message
    assert "select activity facts by kind" in message


def test_quota_with_required_may_count_anything():
    body = minimal(
        indicators=[
            {
                "id": "website_posts",
                "name": "门户网站更新",
                "kind": "quota",
                "points": 10,
                "select": {"metric": "publication", "where": {"outlet_id": "o-1"}},
                "per": "month",
                "required": 2,
                "per_missing": 1,
            }
        ]
    )
    assert Scheme.model_validate(body).points == 10


def test_rate_must_count_one_metric():
    body = minimal(
        indicators=[
            {
                "id": "closure",
                "name": "办结率",
                "kind": "rate",
                "points": 10,
                "numerator": {"metric": "rectification", "where": {"on_time": True}},
                "denominator": {"metric": "opinion_case"},
            }
        ]
    )
    assert "numerator and denominator must count the same metric" in refusal(body)


@pytest.mark.parametrize(
    ("population", "gaps", "role"),
    [
        ({"metric": "publication"}, {"metric": "coverage_gap"}, "population"),
        ({"metric": "outlet"}, {"metric": "finding"}, "gaps"),
    ],
)
def test_coverage_must_select_facts_alive_over_time(population, gaps, role):
    body = minimal(
        indicators=[
            {
                "id": "coverage",
                "name": "阵地责任覆盖",
                "kind": "coverage",
                "points": 10,
                "population": population,
                "gaps": gaps,
            }
        ]
    )
    message = refusal(body)
    assert f"{role} must select facts alive over time" in message
    assert "outlet" in message
    assert "coverage_gap" in message


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        ({"id": "X1", "name": "大写", "kind": "manual", "points": 10}, "id"),  # ids are lower snake case
        ({"id": "zero", "name": "零分", "kind": "manual", "points": 0}, "points"),  # points > 0
        ({"id": "odd", "name": "未知", "kind": "survey", "points": 5}, "survey"),  # unknown kind
        ({"id": "typo", "name": "拼错", "kind": "manual", "point": 5}, "point"),  # extra field forbidden
    ],
)
def test_malformed_indicators_are_refused(indicator, expected):
    assert expected in refusal(minimal(indicators=[indicator]))


def test_unknown_metric_is_refused():
    body = minimal(vetoes=[{"id": "veto", "name": "否决", "select": {"metric": "complaint"}}])
    assert "complaint" in refusal(body)

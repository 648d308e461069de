"""The chart options the pages embed: nothing drawn without data, provisional periods dashed and joined
to the frozen line, peers sorted, times of zero hours still drawn, and the assessment lines as sentences."""

from __future__ import annotations

from datetime import date

from services.gateway.assessment_sentences import line_sentences, rollup_text
from services.gateway.catalog import Messages
from services.gateway.charts import bars, ranked, score_trend, stacked_against
from services.gateway.page_charts import funnel_grid, opinion_funnel, opinion_times, plan_children
from services.gateway.period_words import period_options, period_text


def test_no_chart_without_data() -> None:
    assert bars(["a", "b"], [("n", [0, None])]) is None
    assert ranked([("吴中区", 0)], "活动") is None
    assert score_trend([("2026-Q1", None, False)], "f", "p") is None
    assert stacked_against(["1月"], [("培训", [0])], ("2025年合计", [0])) is None
    assert stacked_against(["1月"], [], ("2025年合计", [3])) is not None  # last year alone is data


def test_provisional_periods_are_a_dashed_line_joined_to_the_frozen_one() -> None:
    option = score_trend([("Q1", 90.0, True), ("Q2", 88.5, False), ("Q3", None, False)], "已通报", "暂定")
    assert option is not None
    frozen, provisional = option["series"]
    assert frozen["data"] == [90.0, None, None]
    assert provisional["data"] == [90.0, 88.5, None]  # starts at the last frozen point
    assert provisional["lineStyle"]["type"] == "dashed"
    assert "lineStyle" not in frozen


def test_peers_are_sorted_largest_first() -> None:
    option = ranked([("相城区", 3), ("吴中区", 9), ("姑苏区", 5)], "活动")
    assert option is not None
    assert option["yAxis"]["data"] == ["吴中区", "姑苏区", "相城区"]
    assert option["yAxis"]["inverse"] is True


def test_response_times_of_zero_hours_are_drawn() -> None:
    hours = {step: {"median": 0.0, "p90": 0.0, "count": 4} for step in ("acknowledge", "close")}
    option = opinion_times(hours, ("acknowledge", "close"), Messages("zh", "opinion."))
    assert option is not None
    assert option["xAxis"]["data"] == ["签收", "办结"]


def test_an_explanation_line_reads_as_sentences_in_either_language() -> None:
    line = {
        "kind": "quota",
        "inputs": {
            "per": "month",
            "checks": [
                {"period": "2026-03", "required": 1, "done": 1, "missing": 0},
                {"period": "2026-04", "required": 1, "done": 0, "missing": 1},
            ],
            "missing": 1,
            "per_missing": 2.0,
        },
    }
    assert line_sentences(line, "zh") == [
        "2026年3月完成1次（要求1次），达标",
        "2026年4月完成0次（要求1次），差1次",
        "共差1次，每次扣2分",
    ]
    assert line_sentences(line, "en")[0] == "March 2026: 1 held of 1 required, met"
    rate = {"kind": "rate", "inputs": {"numerator": 0, "denominator": 0}}
    assert line_sentences(rate, "zh") == ["本期没有应办事项，按细则计分"]
    assert rollup_text({"own": 0.4, "children": 0.6}, "zh") == "本级占40%，下级平均占60%"


def test_periods_are_said_as_people_say_them_and_picked_from_a_list() -> None:
    assert [period_text(p, "zh") for p in ("2026", "2026-Q1", "2026-03")] == [
        "2026年度",
        "2026年第一季度",
        "2026年3月",
    ]
    assert period_text("2026-Q1", "en") == "Q1 2026"
    choices = period_options("2023-05", date(2026, 12, 7), "zh")
    assert choices[0] == ("2023-05", "2023年5月")  # the shown period, though older than the list
    assert ("2026-Q4", "2026年第四季度") in choices
    assert len(choices) == 1 + 3 * 17


def test_plan_versus_actual_puts_the_furthest_behind_on_top_and_the_own_unit_in_its_colour() -> None:
    rows = [("吴中区", 31, 40, 1, "3205.320506"), ("长桥", 2, 0, 2, "t1"), ("郭巷", 2, 2, 0, "t2")]
    plan = [
        {"name": name, "target": target, "actual": actual, "shortfall": short, "path": path}
        for name, target, actual, short, path in rows
    ]
    option = plan_children(plan, "3205.320506", Messages("zh", "outreach."))
    assert option is not None
    assert option["yAxis"]["data"] == ["长桥", "吴中区", "郭巷"]
    target, done = option["series"]
    assert target["data"] == [2, 31, 2]
    assert [point["value"] for point in done["data"]] == [0, 40, 2]
    assert [("itemStyle" in point) for point in done["data"]] == [False, True, False]
    assert plan_children([], "3205", Messages("zh", "outreach.")) is None


def test_the_funnel_stacks_each_state_by_severity_in_the_loops_order() -> None:
    cells = [
        {"state": "closed", "severity": "IV", "cases": 3},
        {"state": "assigned", "severity": "I", "cases": 1},
        {"state": "closed", "severity": "II", "cases": 2},
    ]
    grid = funnel_grid(cells)
    assert [state for state, _ in grid][:2] == ["graded", "assigned"]
    assert dict(grid)["closed"] == [0, 2, 0, 3]
    option = opinion_funnel(cells, Messages("zh", "opinion."))
    assert option is not None
    assert [series["name"] for series in option["series"]] == [
        "特别重大(I)",
        "重大(II)",
        "较大(III)",
        "一般(IV)",
    ]
    assert {series["stack"] for series in option["series"]} == {"total"}
    assert option["color"][0] == "#8b0000"  # I the darkest
    assert opinion_funnel([], Messages("zh", "opinion.")) is None

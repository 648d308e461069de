"""The charts of each page from the data its template already has; templates call ``charts.<name>(…)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.outreach import ActivityKind
from services.gateway.catalog import Messages
from services.gateway.charts import (
    SEVERITY_COLOURS,
    Option,
    bars,
    by_severity,
    lines,
    ranked,
    ranked_pairs,
    score_trend,
    stacked_against,
)
from services.gateway.period_words import period_text

LOOP_STATES = ("reported", "graded", "assigned", "acknowledged", "disposing", "feedback_given", "closed")
SEVERITIES = ("I", "II", "III", "IV")
EMPTY = {"activities": 0, "audience": 0}
INCIDENT_STATES = LOOP_STATES[1:]  # an incident is a graded item: none stands at "reported"


def activity_kinds(own: Mapping[str, Any], subtree: Mapping[str, Any], t: Messages) -> Option | None:
    """Activities by kind, this unit against its whole subtree."""
    kinds = [kind.value for kind in ActivityKind]
    words = Messages(t.lang)
    return bars(
        [words.name("activity_kind", kind) for kind in kinds],
        [
            (words("text.own"), [own.get(kind, EMPTY)["activities"] for kind in kinds]),
            (words("text.subtree"), [subtree.get(kind, EMPTY)["activities"] for kind in kinds]),
        ],
    )


def children(
    rows: Sequence[Mapping[str, Any]], value: str, name: str, *, key: str = "subtree"
) -> Option | None:
    """Subunits compared on one figure of their ``key`` block (``subtree.activities``…), sorted."""
    return ranked([(row["name"], (row.get(key) or {}).get(value)) for row in rows], name)


def plan(targets: Sequence[Mapping[str, Any]], o: Messages) -> Option | None:
    """Plan versus actual: each target's periods, target and done side by side."""
    labels: list[str] = []
    wanted: list[int | None] = []
    done: list[int | None] = []
    for target in targets:
        kind = Messages(o.lang).name("activity_kind", target["kind"])
        for period in target["periods"]:
            labels.append(f"{kind} {period_text(period['period'], o.lang)}")
            wanted.append(period["target"])
            done.append(period["actual"])
    return bars(labels, [(o("target"), wanted), (o("actual"), done)])


def opinion_loop(by_state: Mapping[str, int], o: Messages) -> Option | None:
    """The closed loop: cases standing at each state, in the loop's order (monitored → closed)."""
    return bars(
        [o.name("state", state) for state in LOOP_STATES],
        [(o("cases"), [by_state.get(state, 0) for state in LOOP_STATES])],
    )


def opinion_severity(by_severity_counts: Mapping[str, int], o: Messages) -> Option | None:
    return by_severity(
        [(code, o.name("severity", code), by_severity_counts.get(code, 0)) for code in SEVERITIES], o("count")
    )


def opinion_times(hours: Mapping[str, Mapping[str, Any]], steps: Sequence[str], o: Messages) -> Option | None:
    """Response times: the median and the 90th percentile of each step, in hours."""
    return bars(
        [o(step) for step in steps],
        [
            (o("median"), [hours[step]["median"] for step in steps]),
            (o("p90"), [hours[step]["p90"] for step in steps]),
        ],
        zeros_are_data=True,
    )


def severity_times(
    by_severity: Mapping[str, Mapping[str, Mapping[str, Any]]], steps: Sequence[str]
) -> list[tuple[str, list[tuple[float | None, int]]]]:
    """Response times by severity as (severity, per step (median hours, cases timed)), I to IV: the chart's
    data and its table's rows alike."""
    none = {"median": None, "count": 0}
    return [
        (
            code,
            [
                (by_severity[code].get(step, none)["median"], by_severity[code].get(step, none)["count"])
                for step in steps
            ],
        )
        for code in SEVERITIES
        if code in by_severity
    ]


def opinion_times_by_severity(
    by_severity: Mapping[str, Mapping[str, Mapping[str, Any]]], steps: Sequence[str], o: Messages
) -> Option | None:
    """The median hours of each step, grouped by severity: do the gravest get the quickest answer?"""
    grid = severity_times(by_severity, steps)
    return bars(
        [o.name("severity", code) for code, _ in grid],
        [(o(step), [row[i][0] for _, row in grid]) for i, step in enumerate(steps)],
        zeros_are_data=True,
    )


def assessment_trend(trend: Sequence[Mapping[str, Any]], a: Messages) -> Option | None:
    """The score over the year, the periods not yet frozen in a bulletin drawn dashed."""
    return score_trend(
        [
            (period_text(point["period"], a.lang), point["total"], bool(point.get("frozen")))
            for point in trend
        ],
        a("frozen"),
        a("provisional"),
    )


def assessment_children(rows: Sequence[Mapping[str, Any]], a: Messages) -> Option | None:
    return ranked([(row["name"], row["total"]) for row in rows], a("total"))


def monthly_trend(trend: Sequence[Mapping[str, Any]], t: Messages) -> Option | None:
    """The year's twelve months: activities and opinion items of the unit's subtree, one line each."""
    return lines(
        [period_text(row["month"], t.lang) for row in trend],
        [
            (t("trend_activities"), [row["activities"] for row in trend]),
            (t("trend_cases"), [row["cases"] for row in trend]),
        ],
    )


def kinds_by_month(
    this: Sequence[Mapping[str, Any]], last: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """This year's months by kind against last year's: the kinds held this year (in the catalog's order)
    and, per month, (month, its count of each of those kinds, last year's total that month). The chart's
    data and its table's rows alike."""
    held = {kind for month in this for kind in month["by_kind"]}
    kinds = [kind.value for kind in ActivityKind if kind.value in held]
    rows = [
        (now["month"], [now["by_kind"].get(kind, 0) for kind in kinds], int(before["count"]))
        for now, before in zip(this, last, strict=True)
    ]
    return kinds, rows


def monthly_kinds(
    this: Sequence[Mapping[str, Any]], last: Sequence[Mapping[str, Any]], year: int, t: Messages
) -> Option | None:
    """Activities per month stacked by kind, this year, with last year's monthly totals as a line."""
    kinds, rows = kinds_by_month(this, last)
    words = Messages(t.lang)
    return stacked_against(
        [period_text(month, t.lang) for month, _, _ in rows],
        [
            (words.name("activity_kind", kind), [counts[i] for _, counts, _ in rows])
            for i, kind in enumerate(kinds)
        ],
        (t("year_total", year=year - 1), [before for _, _, before in rows]),
    )


def funnel_grid(funnel: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[int]]]:
    """The year's incidents as (state, counts by severity I–IV) in the loop's order: the funnel chart's
    data and its table's rows alike."""
    counts = {(cell["state"], cell["severity"]): int(cell["cases"]) for cell in funnel}
    states = [*INCIDENT_STATES, *sorted({state for state, _ in counts} - set(INCIDENT_STATES))]
    return [(state, [counts.get((state, severity), 0) for severity in SEVERITIES]) for state in states]


def opinion_funnel(funnel: Sequence[Mapping[str, Any]], o: Messages) -> Option | None:
    """Incidents standing at each state of the loop, stacked by severity (I darkest, as on the opinion page)."""
    grid = funnel_grid(funnel)
    return bars(
        [o.name("state", state) for state, _ in grid],
        [(o.name("severity", code), [row[i] for _, row in grid]) for i, code in enumerate(SEVERITIES)],
        stacked=True,
        colours=[SEVERITY_COLOURS[code] for code in SEVERITIES],
    )


def plan_children(plan: Sequence[Mapping[str, Any]], path: str, o: Messages) -> Option | None:
    """Plan versus actual now, the unit and each child with a target: the furthest behind on top, the
    unit's own bar in its colour."""
    own = next((row["name"] for row in plan if row["path"] == path), None)
    return ranked_pairs(
        [(row["name"], row["target"], row["actual"], row["shortfall"]) for row in plan],
        (o("target"), o("actual")),
        highlight=own,
    )

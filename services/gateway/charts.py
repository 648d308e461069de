"""ECharts options built from the data a page already has; the page embeds them as JSON (charts.js draws).

Every builder answers None when there is nothing to draw, and the page then says so instead of an
empty frame. Animation is off: a chart printed or captured right after loading shows its final state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Option = dict[str, Any]
Number = int | float | None

OWN_COLOUR = "#b3261e"  # the viewer's own unit among its peers, the header's colour
SERIES_COLOURS = ["#0b4f8a", "#5b8db8", "#e0a33a", "#6b9e4d", "#8e6bb8"]
# Parts of one stack need a colour each: the series colours and five more (ten kinds of activity)
STACK_COLOURS = [*SERIES_COLOURS, "#2f8f8f", "#c46b8e", "#7a7a7a", "#a6761d", "#1b9e77"]
SEVERITY_COLOURS = {"I": "#8b0000", "II": "#d9480f", "III": "#e0a33a", "IV": "#5b8db8"}


def _has_data(values: Iterable[Number]) -> bool:
    return any(value for value in values)


def _base(legend: bool) -> Option:
    option: Option = {
        "animation": False,
        "color": SERIES_COLOURS,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 16, "top": 36 if legend else 12, "bottom": 8, "containLabel": True},
    }
    if legend:
        option["legend"] = {"top": 0}
    return option


def bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    stacked: bool = False,
    colours: Sequence[str] | None = None,
    zeros_are_data: bool = False,
) -> Option | None:
    """Vertical bars, one group per category; stacked when the series are parts of one whole. Nothing to
    draw when every value is missing, or zero unless zeros are measurements (times of 0.0 h)."""
    values = [value for _, row in series for value in row]
    if not (any(value is not None for value in values) if zeros_are_data else _has_data(values)):
        return None
    option = _base(legend=len(series) > 1)
    option["xAxis"] = {
        "type": "category",
        "data": list(categories),
        "axisLabel": {"interval": 0, "rotate": 30},
    }
    option["yAxis"] = {"type": "value", "minInterval": 1}
    option["series"] = [
        {"type": "bar", "name": name, "data": list(values), **({"stack": "total"} if stacked else {})}
        for name, values in series
    ]
    if colours:
        option["color"] = list(colours)
    return option


def lines(categories: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]]) -> Option | None:
    """A line per series over the categories (months); nothing to draw when every value is zero."""
    if not _has_data(value for _, row in series for value in row):
        return None
    option = _base(legend=len(series) > 1)
    option["tooltip"] = {"trigger": "axis"}
    option["xAxis"] = {"type": "category", "data": list(categories), "boundaryGap": False}
    option["yAxis"] = {"type": "value", "minInterval": 1}
    option["series"] = [{"type": "line", "name": name, "data": list(values)} for name, values in series]
    return option


def ranked(rows: Sequence[tuple[str, Number]], name: str, *, highlight: str | None = None) -> Option | None:
    """Peers compared: one sorted horizontal bar each, the largest on top, ``highlight`` in the own colour."""
    if not _has_data(value for _, value in rows):
        return None
    ordered = sorted(rows, key=lambda row: row[1] or 0, reverse=True)
    option = _base(legend=False)
    option["xAxis"] = {"type": "value", "minInterval": 1}
    option["yAxis"] = {"type": "category", "inverse": True, "data": [label for label, _ in ordered]}
    option["series"] = [
        {
            "type": "bar",
            "name": name,
            "data": [
                {"value": value, **({"itemStyle": {"color": OWN_COLOUR}} if label == highlight else {})}
                for label, value in ordered
            ],
        }
    ]
    return option


def by_severity(rows: Sequence[tuple[str, str, Number]], name: str) -> Option | None:
    """Counts by severity (code, label, count), each bar in its severity's colour (I darkest)."""
    if not _has_data(count for _, _, count in rows):
        return None
    option = _base(legend=False)
    option["xAxis"] = {"type": "category", "data": [label for _, label, _ in rows]}
    option["yAxis"] = {"type": "value", "minInterval": 1}
    option["series"] = [
        {
            "type": "bar",
            "name": name,
            "data": [
                {"value": count, "itemStyle": {"color": SEVERITY_COLOURS.get(code, SERIES_COLOURS[0])}}
                for code, _, count in rows
            ],
        }
    ]
    return option


def score_trend(
    points: Sequence[tuple[str, Number, bool]], final_name: str, provisional_name: str
) -> Option | None:
    """A score over the periods of a year: (label, total, frozen). Provisional periods are a dashed line
    that starts at the last frozen point, so the two lines join."""
    if not _has_data(total for _, total, _ in points):
        return None
    final: list[Number] = [total if frozen else None for _, total, frozen in points]
    provisional: list[Number] = [None if frozen else total for _, total, frozen in points]
    for index, (_, total, frozen) in enumerate(points):
        if not frozen and total is not None and index and points[index - 1][2]:
            provisional[index - 1] = points[index - 1][1]
    option = _base(legend=True)
    option["tooltip"] = {"trigger": "axis"}
    option["xAxis"] = {"type": "category", "data": [label for label, _, _ in points]}
    option["yAxis"] = {"type": "value", "scale": True}
    option["series"] = [
        {"type": "line", "name": final_name, "data": final, "connectNulls": False},
        {
            "type": "line",
            "name": provisional_name,
            "data": provisional,
            "lineStyle": {"type": "dashed"},
            "itemStyle": {"borderType": "dashed"},
        },
    ]
    return option


def ranked_pairs(
    rows: Sequence[tuple[str, Number, Number, Number]],
    names: tuple[str, str],
    *,
    highlight: str | None = None,
) -> Option | None:
    """Peers compared on a pair of figures: rows of (label, first, second, rank), drawn as horizontal bars
    side by side, the largest rank on top (a shortfall: the furthest behind), ``highlight``'s second bar
    in the own colour."""
    if not _has_data(value for _, first, second, _ in rows for value in (first, second)):
        return None
    ordered = sorted(rows, key=lambda row: row[3] or 0, reverse=True)
    option = _base(legend=True)
    option["xAxis"] = {"type": "value", "minInterval": 1}
    option["yAxis"] = {"type": "category", "inverse": True, "data": [row[0] for row in ordered]}
    option["series"] = [
        {"type": "bar", "name": names[0], "data": [row[1] for row in ordered]},
        {
            "type": "bar",
            "name": names[1],
            "data": [
                {"value": second, **({"itemStyle": {"color": OWN_COLOUR}} if label == highlight else {})}
                for label, _, second, _ in ordered
            ],
        },
    ]
    return option


def stacked_against(
    categories: Sequence[str],
    stacks: Sequence[tuple[str, Sequence[Number]]],
    line: tuple[str, Sequence[Number]],
) -> Option | None:
    """Parts of a whole stacked as bars (this year's activities by kind) and one line to hold the wholes
    against (last year's totals); nothing to draw when every value is zero."""
    if not _has_data(value for _, row in (*stacks, line) for value in row):
        return None
    option = _base(legend=True)
    option["color"] = STACK_COLOURS
    option["xAxis"] = {"type": "category", "data": list(categories)}
    option["yAxis"] = {"type": "value", "minInterval": 1}
    option["series"] = [
        *({"type": "bar", "name": name, "data": list(values), "stack": "total"} for name, values in stacks),
        {"type": "line", "name": line[0], "data": list(line[1]), "itemStyle": {"color": OWN_COLOUR}},
    ]
    return option

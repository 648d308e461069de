"""The work summary (``sanji.qry.projection.summary``) and the records behind its meeting, survey and
award figures (``summary.records``); contracts in contracts/queries/summary.py, figures in
summary_figures.py. Its freshness is the outreach view's, whose activities most of its figures count."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from contracts.commands import not_known
from contracts.outreach import Cadence
from contracts.outreach_submissions import QuotaMeasure
from contracts.queries import QUERIES as CONTRACTS
from contracts.queries.summary import WorkSummaryParams, WorkSummaryRecordsParams
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date
from services.eventkit.periods import MONTHS_IN, Period, parse_period
from services.eventkit.projector import Projector
from services.eventkit.queries import QueryError, QuerySpec
from services.projection import summary_duty as duty
from services.projection import summary_figures as outreach
from services.projection import summary_oversight as oversight
from services.projection.params import jsonable, within
from services.projection.queries import SCHEMA
from services.projection.submissions_queries import quota_rows
from services.projection.summary_figures import Asked, Figures

S = SCHEMA
PROJECTOR = "outreach"
# Figures such summaries quote that no command records yet: named in every answer, never given as zeros
# (none since 信息报送, 三校 and social organizations came; kept for the next figure a bureau asks for).
NOT_RECORDED: list[tuple[str, str]] = []
SECTIONS: list[Callable[[Conn, Asked], Awaitable[Figures]]] = [
    outreach.activities,
    outreach.meetings,
    outreach.surveys,
    outreach.awards,
    outreach.publications,
    outreach.submissions,
    oversight.outlets,
    duty.inspection_cadence,
    oversight.rectifications,
    duty.half_year_reports,
    duty.social_organizations,
    oversight.opinion,
    outreach.drills,
    oversight.assessment,
]
# The target tables the plan column reads: section → (table, the figure name a target counts).
TARGETS = {"activities": ("outreach_targets", "activities"), "meetings": ("meeting_targets", "meetings")}
# The quotas (contracts/outreach_submissions.py): measure → the figure (section, name) it plans.
QUOTA_FIGURES = {
    QuotaMeasure.SUBMITTED: ("submissions", "submitted"),
    QuotaMeasure.ADOPTED: ("submissions", "adopted"),
    QuotaMeasure.PUBLISHED: ("publications", "published"),
}


def summary_period(text: str) -> Period:
    """A year or a quarter: a summary is written for nothing shorter."""
    try:
        period = parse_period(text)
    except ValueError as error:
        raise QueryError("invalid", f"period: {error}") from None
    if period.cadence is Cadence.MONTH:
        raise QueryError("invalid", "period: a summary covers a year (2025) or a quarter (2025-Q3)")
    return period


def previous(period: Period) -> Period:
    """The period a summary compares with: last year, or the quarter before (Q4 of last year for Q1)."""
    if period.cadence is Cadence.YEAR:
        return Period(period.year - 1, period.cadence, 1)
    if period.index > 1:
        return Period(period.year, period.cadence, period.index - 1)
    return Period(period.year - 1, period.cadence, 4)


def period_json(period: Period) -> dict[str, Any]:
    today = local_date(datetime.now(UTC))
    return {
        "label": period.label,
        "cadence": period.cadence.value,
        "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "status": period.status(today).value,
    }


def figure_key(found: dict[str, Any]) -> tuple[Any, ...]:
    return found["section"], found["name"], found["by"], found["key"]


def planned(count: int, cadence: Cadence, period: Period) -> int | None:
    """A target's count over ``period``: a monthly target of 2 is 6 a quarter; a yearly one sets none
    for a quarter (a year's plan is not spread evenly over its quarters)."""
    months, per = len(period.months), MONTHS_IN[cadence]
    return count * (months // per) if months >= per else None


async def plans(conn: Conn, path: str, period: Period) -> dict[tuple[Any, ...], int]:
    """Figure key → the plan: the unit's own targets for the period's year, by kind and in total, and its
    quotas (submissions, adoptions, published pieces). Where a kind or a measure has targets of several
    cadences, the largest count over the period is the plan."""
    found: dict[tuple[Any, ...], int] = {}
    for section, (table, name) in TARGETS.items():
        rows = await conn.fetch(
            f"SELECT kind, cadence, count FROM {S}.{table} WHERE unit = $1 AND year = $2 AND count > 0",
            path,
            period.year,
        )
        by_kind: dict[str, int] = {}
        for row in rows:
            count = planned(row["count"], Cadence(row["cadence"]), period)
            if count is not None:
                by_kind[row["kind"]] = max(by_kind.get(row["kind"], 0), count)
        for kind, count in by_kind.items():
            found[(section, name, "kind", kind)] = count
        if by_kind:
            found[(section, name, None, None)] = sum(by_kind.values())
    for quota in await quota_rows(conn, path, period.year):
        count = planned(quota["count"], Cadence(quota["cadence"]), period)
        if count is not None:
            key = (*QUOTA_FIGURES[QuotaMeasure(quota["measure"])], None, None)
            found[key] = max(found.get(key, 0), count)
    return found


async def figures_of(conn: Conn, asked: Asked) -> list[dict[str, Any]]:
    return [found for section in SECTIONS for found in await section(conn, asked)]


async def summary(conn: Conn, params: WorkSummaryParams) -> dict[str, Any]:
    """Every figure for the period, with the previous period's value and the plan where there is one."""
    path, period = params.path, summary_period(params.period)
    unit = await conn.fetchrow(f"SELECT path, parent, name, kind, level FROM {S}.units WHERE path = $1", path)
    if unit is None:
        raise QueryError("not_found", not_known("unit", path))
    before = previous(period)
    now, then = await figures_of(conn, Asked(path, period)), await figures_of(conn, Asked(path, before))
    earlier = {figure_key(found): found["value"] for found in then}
    targets = await plans(conn, path, period)
    figures = [
        found | {"previous": earlier.get(figure_key(found), 0 if found["additive"] else None)}
        for found in now
    ]
    seen = {figure_key(found) for found in now}
    for found in then:  # a subtype, column or outlet only in the previous period: zero now
        if figure_key(found) not in seen:
            figures.append(found | {"value": 0, "previous": found["value"]})
    return {
        "unit": dict(unit),
        "period": period_json(period),
        "previous_period": period_json(before),
        "figures": [found | {"plan": targets.get(figure_key(found))} for found in figures],
        "not_recorded": [{"section": section, "name": name} for section, name in NOT_RECORDED],
    }


RECORDS = {
    "meetings": ("outreach_meetings", "meeting_id, unit, kind, held_on, attendance, facts", "held_on"),
    "surveys": (
        "field_surveys",
        "survey_id, unit, held_on, led_by, topic, places, problems, problems_found, problems_solved",
        "held_on",
    ),
    "awards": ("awards", "award_id, unit, kind, title, recipient, awarded_by, awarded_on", "awarded_on"),
}


async def records(conn: Conn, params: WorkSummaryRecordsParams) -> dict[str, Any]:
    """The meetings, surveys or awards of the subtree in the period (a kind's, if given), newest first."""
    period = summary_period(params.period)
    if await conn.fetchval(f"SELECT 1 FROM {S}.units WHERE path = $1", params.path) is None:
        raise QueryError("not_found", not_known("unit", params.path))
    table, columns, day = RECORDS[params.section.value]
    kind = " AND kind = $4" if params.kind and params.section.value != "surveys" else ""
    args: list[Any] = [params.path, period.first_day, period.last_day]
    rows = await conn.fetch(
        f"SELECT {columns} FROM {S}.{table} WHERE {within('unit')} AND {day} BETWEEN $2 AND $3{kind}"
        f" ORDER BY {day} DESC, unit LIMIT {params.limit}",
        *args,
        *([params.kind] if kind else []),
    )
    return {"section": params.section, "records": [decoded(jsonable(row)) for row in rows]}


def decoded(row: dict[str, Any]) -> dict[str, Any]:
    """JSON columns as values, not text (asyncpg hands jsonb over as text)."""
    return {
        k: json.loads(v) if k in ("facts", "places", "problems") and isinstance(v, str) else v
        for k, v in row.items()
    }


PROJECTORS: list[Projector] = []  # it reads the other views' tables and keeps none of its own
QUERIES = [
    QuerySpec(CONTRACTS["summary"], PROJECTOR, summary),
    QuerySpec(CONTRACTS["summary.records"], "records", records),
]

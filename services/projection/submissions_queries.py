"""Submission queries: ``outreach.submissions`` (items sent upward and adopted in a period, by level and
per child unit, against the quotas with their shortfalls, and the units without an information officer),
and what the work summary reads of the same tables. Periods are local (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.duty import PostKind, UnitKind
from contracts.outreach import Cadence, TargetScope
from contracts.outreach_submissions import QuotaMeasure
from contracts.queries import QUERIES as CONTRACTS
from contracts.queries.outreach import SummaryParams
from services.eventkit.db import Conn
from services.eventkit.periods import Period
from services.eventkit.queries import QuerySpec
from services.outreach.domain.plans import Month, Tally, Target, completion, progress
from services.projection.duty_asof import valid
from services.projection.outreach_queries import period_param, today, unit_row
from services.projection.params import jsonable, within
from services.projection.queries import SCHEMA

S = SCHEMA
PROJECTOR = "records"
ITEMS = 200
# The units that send information and so need an information officer (信息宣传员): not party branches,
# not the social organizations the bureau supervises.
REPORTING_KINDS = [
    UnitKind.BUREAU.value,
    UnitKind.COUNTY_OFFICE.value,
    UnitKind.TOWNSHIP_OFFICE.value,
    UnitKind.DEPARTMENT.value,
    UnitKind.AFFILIATED_INSTITUTION.value,
]


def officer_day(period: Period) -> date:
    """The day officers are checked: the period's last day, or today while it runs."""
    return min(period.last_day, today())


async def without_officer(conn: Conn, path: str, day: date) -> list[dict[str, Any]]:
    """Units of the subtree that stood on ``day`` and had no held information-officer post that day."""
    rows = await conn.fetch(
        f"SELECT u.path, h.value AS name, u.kind FROM {S}.units u JOIN {S}.duty_history h"
        f" ON h.subject = 'unit:' || u.path AND h.attribute = 'name' AND {valid('h')}"
        f" WHERE {within('u.path')} AND u.kind = ANY($3::text[]) AND NOT EXISTS ("
        f" SELECT 1 FROM {S}.duty_history pu JOIN {S}.duty_posts p ON p.post_id = substr(pu.subject, 6)"
        f" JOIN {S}.duty_history ho ON ho.subject = pu.subject AND ho.attribute = 'holder' AND {valid('ho')}"
        f" WHERE pu.attribute = 'unit' AND pu.subject LIKE 'post:%' AND pu.value = u.path AND {valid('pu')}"
        f" AND p.kind = $4) ORDER BY u.path",
        path,
        day,
        REPORTING_KINDS,
        PostKind.INFORMATION_OFFICER.value,
    )
    return [dict(row) for row in rows]


async def by_level(conn: Conn, paths: list[str], months: list[date]) -> dict[str, dict[str, dict[str, int]]]:
    """path → measure (submitted, adopted) → level → the subtree's count in the months."""
    rows = await conn.fetch(
        f"SELECT path, level, sum(subtree_submitted)::bigint AS submitted, sum(subtree_adopted)::bigint AS adopted"
        f" FROM {S}.submission_monthly WHERE path = ANY($1::text[]) AND month = ANY($2::date[])"
        " GROUP BY path, level",
        paths,
        months,
    )
    found: dict[str, dict[str, dict[str, int]]] = {path: {"submitted": {}, "adopted": {}} for path in paths}
    for row in rows:
        for measure in ("submitted", "adopted"):
            if row[measure]:
                found[row["path"]][measure][row["level"]] = row[measure]
    return found


async def measured_months(conn: Conn, path: str, year: int, measure: QuotaMeasure) -> dict[Month, Tally]:
    """What a quota counts over the subtree, per local month of ``year``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    if measure is QuotaMeasure.PUBLISHED:
        sql = (
            f"SELECT date_trunc('month', published_on)::date AS month, count(*)::bigint AS n"
            f" FROM {S}.outreach_publications WHERE {within('unit')} AND status = 'published'"
            " AND published_on BETWEEN $2 AND $3 GROUP BY 1"
        )
    else:
        sql = (
            f"SELECT month, sum(subtree_{measure.value})::bigint AS n FROM {S}.submission_monthly"
            " WHERE path = $1 AND month BETWEEN $2 AND $3 GROUP BY month"
        )
    rows = await conn.fetch(sql, path, first, last)
    return {(row["month"].year, row["month"].month): Tally(row["n"]) for row in rows}


async def quota_rows(conn: Conn, path: str, year: int) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in await conn.fetch(
            f"SELECT measure, cadence, count, revision, reason FROM {S}.outreach_quotas"
            " WHERE unit = $1 AND year = $2 AND count > 0 ORDER BY measure, cadence",
            path,
            year,
        )
    ]


async def quotas(conn: Conn, path: str, period: Period) -> list[dict[str, Any]]:
    """The unit's quotas for the period's year, each with the periods overlapping ``period`` (actual and
    shortfall) and the whole year's completion."""
    found = []
    day = today()
    for row in await quota_rows(conn, path, period.year):
        measure = QuotaMeasure(row["measure"])
        cadence = Cadence(row["cadence"])
        target = Target(measure, cadence, row["count"], None, TargetScope.SUBTREE, row["revision"])
        periods = progress(target, period.year, await measured_months(conn, path, period.year, measure), day)
        overlapping = [
            p
            for p in periods
            if p.period.first_day <= period.last_day and p.period.last_day >= period.first_day
        ]
        found.append(
            row
            | {
                "periods": [p.as_json() for p in overlapping],
                "shortfall": sum(p.shortfall for p in overlapping),
                "year": completion(periods),
            }
        )
    return found


async def submissions(conn: Conn, params: SummaryParams) -> dict[str, Any]:
    """Items sent and adopted in the subtree in the period, per child, against quotas; units without an
    information officer on the period's last day (today while it runs)."""
    unit = await unit_row(conn, params.path)
    period = period_param(params.period)
    children = await conn.fetch(
        f"SELECT path, name, kind FROM {S}.units WHERE parent = $1 ORDER BY path", params.path
    )
    paths = [params.path, *(row["path"] for row in children)]
    counts = await by_level(conn, paths, [date(y, m, 1) for y, m in period.months])

    def totals(path: str, measure: str) -> dict[str, Any]:
        levels = counts[path][measure]
        return {"total": sum(levels.values()), "by_level": levels}

    day = officer_day(period)
    return {
        "unit": dict(unit),
        "period": {
            "label": period.label,
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
        },
        "as_of": day.isoformat(),
        "submitted": totals(params.path, "submitted"),
        "adopted": totals(params.path, "adopted"),
        "children": [
            jsonable(row)
            | {
                "submitted": totals(row["path"], "submitted"),
                "adopted": totals(row["path"], "adopted"),
                "quotas": await quotas(conn, row["path"], period),  # a section's own, with shortfalls
            }
            for row in children
        ],
        "quotas": await quotas(conn, params.path, period),
        "without_officer": await without_officer(conn, params.path, day),
        "items": await items(conn, params.path, period),
    }


async def items(conn: Conn, path: str, period: Period) -> list[dict[str, Any]]:
    """Items of the subtree sent in the period or adopted in it, newest first, each with its adoptions."""
    rows = await conn.fetch(
        f"SELECT s.submission_id, s.unit, s.title, s.submitted_on, s.level, s.recipient, coalesce(jsonb_agg("
        "jsonb_build_object('outlet', a.outlet, 'level', a.level, 'adopted_on', a.adopted_on)"
        " ORDER BY a.adopted_on, a.outlet) FILTER (WHERE a.outlet IS NOT NULL), '[]') AS adoptions"
        f" FROM {S}.outreach_submissions s LEFT JOIN {S}.submission_adoptions a USING (submission_id)"
        f" WHERE {within('s.unit')} AND (s.submitted_on BETWEEN $2 AND $3 OR EXISTS (SELECT 1"
        f" FROM {S}.submission_adoptions x WHERE x.submission_id = s.submission_id"
        " AND x.adopted_on BETWEEN $2 AND $3)) GROUP BY s.submission_id"
        f" ORDER BY s.submitted_on DESC, s.submission_id LIMIT {ITEMS}",
        path,
        period.first_day,
        period.last_day,
    )
    return [jsonable(row) for row in rows]


QUERIES = [QuerySpec(CONTRACTS["outreach.submissions"], PROJECTOR, submissions)]

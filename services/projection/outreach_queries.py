"""Outreach queries (``sanji.qry.projection.outreach.*``): per unit and period, rolled up, with plan
versus actual, publications by stage and by outlet; lists and full histories. Every answer carries
the outreach projector's freshness (added by the runner; contracts in contracts/queries/outreach.py).
Periods are local (Asia/Shanghai): ``2025``, ``2025-Q2``, ``2025-04``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from contracts.commands import not_known
from contracts.outreach import ActivityKind, Cadence, PublicationStatus, TargetScope
from contracts.queries import QUERIES as CONTRACTS
from contracts.queries.base import MonthlyParams
from contracts.queries.outreach import (
    ActivitiesParams,
    ActivityParams,
    PublicationParams,
    PublicationsParams,
    SummaryParams,
)
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date
from services.eventkit.periods import Period, parse_period
from services.eventkit.queries import QueryError, QuerySpec
from services.outreach.domain.plans import Month, Tally, Target, completion, progress
from services.projection.params import order_by
from services.projection.queries import SCHEMA

PROJECTOR = "outreach"
S = SCHEMA
SUBTREE = "(unit = $1 OR unit LIKE $1 || '.%')"


def today() -> date:
    return local_date(datetime.now(UTC))


def period_param(text: str | None) -> Period:
    try:
        return parse_period(text) if text else parse_period(str(today().year))
    except ValueError as error:
        raise QueryError("invalid", f"period: {error}") from None


def month_starts(period: Period) -> list[date]:
    return [date(year, month, 1) for year, month in period.months]


async def unit_row(conn: Conn, path: str) -> asyncpg.Record:
    unit = await conn.fetchrow(f"SELECT path, parent, name, kind, level FROM {S}.units WHERE path = $1", path)
    if unit is None:
        raise QueryError("not_found", not_known("unit", path))
    return unit


async def counts_by_kind(conn: Conn, paths: list[str], period: Period) -> dict[str, dict[str, Any]]:
    """path → {own, subtree}: activities and audience in the period, in total and by kind."""
    rows = await conn.fetch(
        f"SELECT path, kind, sum(own_activities)::bigint AS oa, sum(own_audience)::bigint AS ou,"
        f" sum(subtree_activities)::bigint AS sa, sum(subtree_audience)::bigint AS su FROM {S}.outreach_monthly"
        " WHERE path = ANY($1::text[]) AND month = ANY($2::date[]) GROUP BY path, kind ORDER BY path, kind",
        paths,
        month_starts(period),
    )
    found: dict[str, dict[str, Any]] = {}
    for path in paths:
        mine = [row for row in rows if row["path"] == path]
        found[path] = {
            scope: {
                "activities": sum(row[f"{key}a"] for row in mine),
                "audience": sum(row[f"{key}u"] for row in mine),
                "by_kind": {
                    row["kind"]: {"activities": row[f"{key}a"], "audience": row[f"{key}u"]}
                    for row in mine
                    if row[f"{key}a"]
                },
            }
            for scope, key in (("own", "o"), ("subtree", "s"))
        }
    return found


async def plans(conn: Conn, paths: list[str], period: Period, day: date) -> dict[str, dict[str, Any]]:
    """path → its targets for the period's year, each with the periods overlapping ``period`` and the
    whole year's completion, and the year's completion over all its targets."""
    year = period.year
    targets = await conn.fetch(
        f"SELECT * FROM {S}.outreach_targets WHERE unit = ANY($1::text[]) AND year = $2 AND count > 0"
        " ORDER BY unit, kind, cadence",
        paths,
        year,
    )
    monthly = await conn.fetch(
        f"SELECT path, kind, month, own_activities, own_audience, subtree_activities, subtree_audience"
        f" FROM {S}.outreach_monthly WHERE path = ANY($1::text[]) AND month >= $2 AND month < $3",
        paths,
        date(year, 1, 1),
        date(year + 1, 1, 1),
    )
    found: dict[str, dict[str, Any]] = {path: {"targets": [], "year": completion([])} for path in paths}
    all_periods: dict[str, list[Any]] = {path: [] for path in paths}
    for row in targets:
        target = Target(
            ActivityKind(row["kind"]),
            Cadence(row["cadence"]),
            row["count"],
            row["audience"],
            TargetScope(row["scope"]),
            row["revision"],
        )
        prefix = "own" if target.scope is TargetScope.OWN else "subtree"
        months: dict[Month, Tally] = {
            (m["month"].year, m["month"].month): Tally(m[f"{prefix}_activities"], m[f"{prefix}_audience"])
            for m in monthly
            if m["path"] == row["unit"] and m["kind"] == row["kind"]
        }
        periods = progress(target, year, months, day)
        all_periods[row["unit"]] += periods
        found[row["unit"]]["targets"].append(
            {
                "kind": target.kind.value,
                "cadence": target.cadence.value,
                "count": target.count,
                "audience_target": target.audience,
                "scope": target.scope.value,
                "revision": target.revision,
                "reason": row["reason"],
                "periods": [
                    p.as_json()
                    for p in periods
                    if p.period.first_day <= period.last_day and p.period.last_day >= period.first_day
                ],
                "year": completion(periods),
            }
        )
    for path in paths:
        found[path]["year"] = completion(all_periods[path])
    return found


async def publications_summary(conn: Conn, path: str, period: Period) -> dict[str, Any]:
    """In the subtree: publications still in review by stage (whenever submitted), and those published
    in the period, by status, by outlet and by kind and column (栏目) with their views."""
    by_status = await conn.fetch(
        f"SELECT status, count(*) AS n FROM {S}.outreach_publications WHERE {SUBTREE}"
        " AND (status <> 'published' OR published_on BETWEEN $2 AND $3) GROUP BY status",
        path,
        period.first_day,
        period.last_day,
    )
    by_outlet = await conn.fetch(
        f"SELECT p.outlet_id, o.name, o.kind, o.status, count(*) AS published, sum(p.views)::bigint AS views"
        f" FROM {S}.outreach_publications p LEFT JOIN {S}.outreach_outlets o USING (outlet_id)"
        f" WHERE (p.unit = $1 OR p.unit LIKE $1 || '.%') AND p.status = 'published'"
        " AND p.published_on BETWEEN $2 AND $3 GROUP BY p.outlet_id, o.name, o.kind, o.status ORDER BY p.outlet_id",
        path,
        period.first_day,
        period.last_day,
    )
    by_kind_and_column = await conn.fetch(
        f"SELECT kind, column_name, count(*) AS published, coalesce(sum(views), 0)::bigint AS views"
        f" FROM {S}.outreach_publications WHERE {SUBTREE} AND status = 'published'"
        " AND published_on BETWEEN $2 AND $3 GROUP BY kind, column_name ORDER BY kind, column_name NULLS FIRST",
        path,
        period.first_day,
        period.last_day,
    )
    counts = {status.value: 0 for status in PublicationStatus}
    counts.update({row["status"]: row["n"] for row in by_status})
    return {
        "by_status": counts,
        "by_kind_and_column": [
            {"kind": r["kind"], "column": r["column_name"], "published": r["published"], "views": r["views"]}
            for r in by_kind_and_column
        ],
        "by_outlet": [
            {
                "outlet_id": row["outlet_id"],
                "name": row["name"],
                "kind": row["kind"],
                "status": row["status"],
                "published": row["published"],
                "views": row["views"],
            }
            for row in by_outlet
        ],
    }


async def summary(conn: Conn, params: SummaryParams) -> dict[str, Any]:
    path, period = params.path, period_param(params.period)
    day = today()
    unit = await unit_row(conn, path)
    children = await conn.fetch(
        f"SELECT path, name, kind, level FROM {S}.units WHERE parent = $1 ORDER BY path", path
    )
    paths = [path] + [child["path"] for child in children]
    counts = await counts_by_kind(conn, paths, period)
    planned = await plans(conn, paths, period, day)
    return {
        "unit": dict(unit),
        "period": {
            "label": period.label,
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
            "status": period.status(day).value,
        },
        "own": counts[path]["own"],
        "subtree": counts[path]["subtree"],
        "plan": planned[path],
        "publications": await publications_summary(conn, path, period),
        "children": [
            {
                **dict(child),
                "subtree": {k: v for k, v in counts[child["path"]]["subtree"].items() if k != "by_kind"},
                "plan": planned[child["path"]]["year"],
            }
            for child in children
        ],
    }


def activity_json(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "activity_id": row["activity_id"],
        "unit": row["unit"],
        **row["facts"],
        "source": row["source"],
        "external_id": row["external_id"],
        "voided": row["voided"],
        "corrections": row["corrections"],
        "logged_at": row["logged_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


ACTIVITY_SORTS = {name: name for name in ("held_on", "topic", "kind", "audience", "unit")}


async def activities(conn: Conn, params: ActivitiesParams) -> dict[str, Any]:
    """Activities of a unit (and its subtree unless ``own``; only ``child``'s subtree when given) held in a
    period, newest first."""
    path, period = params.path, period_param(params.period)
    limit, offset = params.limit, params.offset
    where = [
        "(unit = $1 OR unit LIKE $1 || '.%')" if not params.own else "unit = $1",
        "held_on BETWEEN $2 AND $3",
    ]
    args: list[Any] = [path, period.first_day, period.last_day]
    if params.kind is not None:
        args.append(params.kind.value)
        where.append(f"kind = ${len(args)}")
    if params.child is not None:
        args.append(params.child)
        where.append(f"(unit = ${len(args)} OR unit LIKE ${len(args)} || '.%')")
    if not params.include_voided:
        where.append("NOT voided")
    condition = " AND ".join(where)
    total = await conn.fetchval(f"SELECT count(*) FROM {S}.outreach_activities WHERE {condition}", *args)
    rows = await conn.fetch(
        f"SELECT * FROM {S}.outreach_activities WHERE {condition}"
        f" {order_by(params.sort, ACTIVITY_SORTS, 'activity_id')} LIMIT {limit} OFFSET {offset}",
        *args,
    )
    return {
        "total": total,
        "activities": [activity_json(r) for r in rows],
    }


async def history(conn: Conn, stream: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT seq, event_type, at, actor, data FROM {S}.outreach_history WHERE stream = $1 ORDER BY seq",
        stream,
    )
    return [
        {
            "seq": r["seq"],
            "type": r["event_type"],
            "at": r["at"].isoformat(),
            "actor": r["actor"],
            "data": r["data"],
        }
        for r in rows
    ]


async def activity(conn: Conn, params: ActivityParams) -> dict[str, Any]:
    """One activity as it stands now, and every event of its history (logged, corrections, void)."""
    activity_id = params.activity_id
    row = await conn.fetchrow(f"SELECT * FROM {S}.outreach_activities WHERE activity_id = $1", activity_id)
    if row is None:
        raise QueryError("not_found", not_known("activity", activity_id))
    return {
        "activity": activity_json(row),
        "history": await history(conn, f"activity:{activity_id}"),
    }


def publication_json(row: asyncpg.Record) -> dict[str, Any]:
    found = dict(row)
    for name in ("submitted_at", "updated_at", "published_on"):
        found[name] = found[name].isoformat() if found[name] is not None else None
    return found


async def publications(conn: Conn, params: PublicationsParams) -> dict[str, Any]:
    """Publications of a unit's subtree, optionally of one status, most recently changed first."""
    path, limit = params.path, params.limit
    args: list[Any] = [path]
    condition = SUBTREE
    if params.status is not None:
        args.append(params.status.value)
        condition += " AND status = $2"
    rows = await conn.fetch(
        f"SELECT * FROM {S}.outreach_publications WHERE {condition} ORDER BY updated_at DESC LIMIT {limit}",
        *args,
    )
    return {"publications": [publication_json(r) for r in rows]}


async def publication(conn: Conn, params: PublicationParams) -> dict[str, Any]:
    """One publication, where it stands in 三审三校, and every event of its history."""
    publication_id = params.publication_id
    row = await conn.fetchrow(
        f"SELECT * FROM {S}.outreach_publications WHERE publication_id = $1", publication_id
    )
    if row is None:
        raise QueryError("not_found", not_known("publication", publication_id))
    return {
        "publication": publication_json(row),
        "history": await history(conn, f"publication:{publication_id}"),
    }


MONTHLY_SQL = (
    f"SELECT month, kind, sum(subtree_activities)::bigint AS n FROM {S}.outreach_monthly"
    " WHERE path = $1 AND month BETWEEN $2 AND $3 GROUP BY month, kind HAVING sum(subtree_activities) > 0"
)


async def outreach_monthly(conn: Conn, params: MonthlyParams) -> dict[str, Any]:
    """Activities held in the unit's subtree, month by month, in all and by kind."""
    year = params.year or local_date(datetime.now(UTC)).year
    by_month: dict[date, dict[str, int]] = {date(year, m, 1): {} for m in range(1, 13)}
    for row in await conn.fetch(MONTHLY_SQL, params.path, date(year, 1, 1), date(year, 12, 31)):
        by_month[row["month"]][row["kind"]] = int(row["n"])
    months = [
        {"month": f"{first:%Y-%m}", "count": sum(kinds.values()), "by_kind": kinds}
        for first, kinds in by_month.items()
    ]
    return {"path": params.path, "year": year, "months": months}


QUERIES = [
    *(
        QuerySpec(CONTRACTS[f"outreach.{handler.__name__}"], PROJECTOR, handler)
        for handler in (summary, activities, activity, publications, publication)
    ),
    QuerySpec(CONTRACTS["outreach.monthly"], PROJECTOR, outreach_monthly),
]

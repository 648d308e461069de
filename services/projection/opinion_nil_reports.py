"""The nil-report query (``sanji.qry.projection.opinion.nil_reports``): which monitoring posts filed their
daily nil report (零报告), which reported an item that day instead, and which days are missing.
Missing reports are computed here, at query time, rather than flagged by a timer: the answer is always
current, and nothing needs correcting when a late report (allowed up to a week) comes in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from contracts.queries import QUERIES as CONTRACTS
from contracts.queries.opinion import SpanParams
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date
from services.eventkit.queries import QuerySpec
from services.projection.opinion_queries import PROJECTOR, S, span_param
from services.projection.params import within

OFFICE_KINDS = ["bureau", "county_office", "township_office"]


async def nil_reports(conn: Conn, params: SpanParams) -> dict[str, Any]:
    """Per monitoring post (office) in the subtree: days a nil report was due, filed, covered by a
    reported item instead, and missing. Due every calendar day up to today, from the day the post was
    registered (or first filed, if earlier) until it was retired."""
    path, span = params.path, span_param(params)
    assert span is not None
    last = min(span.last, local_date(datetime.now(UTC)))
    posts = await conn.fetch(
        f"SELECT path, name, kind, since, retired_on FROM {S}.units"
        f" WHERE {within('path')} AND kind = ANY($2::text[]) ORDER BY path",
        path,
        OFFICE_KINDS,
    )
    filed = await conn.fetch(
        f"SELECT unit, day FROM {S}.opinion_nil_reports WHERE {within('unit')} AND day <= $2", path, last
    )
    local_day = "(reported_at AT TIME ZONE 'Asia/Shanghai')::date"
    items = await conn.fetch(
        f"SELECT DISTINCT reported_unit AS unit, {local_day} AS day FROM {S}.opinion_cases"
        f" WHERE {within('reported_unit')} AND NOT drill AND {local_day} BETWEEN $2 AND $3",
        path,
        span.first,
        last,
    )
    filed_days = {(row["unit"], row["day"]) for row in filed}
    first_filed: dict[str, date] = {}
    for unit, day in sorted(filed_days):
        first_filed.setdefault(unit, day)
    item_days = {(row["unit"], row["day"]) for row in items}
    found = [
        _post(post, first=span.first, last=last, filed=filed_days, items=item_days, first_filed=first_filed)
        for post in posts
    ]
    totals = {
        key: sum(post[key] for post in found) for key in ("expected", "filed", "covered_by_items", "missing")
    }
    return {"path": path, "period": span.as_json(), "posts": found, "totals": totals}


def _post(
    post: asyncpg.Record,
    *,
    first: date,
    last: date,
    filed: set[tuple[str, date]],
    items: set[tuple[str, date]],
    first_filed: dict[str, date],
) -> dict[str, Any]:
    path = post["path"]
    start = max(first, min(post["since"], first_filed.get(path, post["since"])))
    end = min(last, post["retired_on"] - timedelta(days=1)) if post["retired_on"] else last
    expected = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    nil = [day for day in expected if (path, day) in filed]
    covered = [day for day in expected if (path, day) in items and (path, day) not in filed]
    missing = [day for day in expected if (path, day) not in filed and (path, day) not in items]
    return {
        "path": path,
        "name": post["name"],
        "kind": post["kind"],
        "expected": len(expected),
        "filed": len(nil),
        "covered_by_items": len(covered),
        "missing": len(missing),
        "missing_days": [day.isoformat() for day in missing[-31:]],
    }


QUERIES = [QuerySpec(CONTRACTS["opinion.nil_reports"], PROJECTOR, nil_reports)]

"""Opinion queries (``sanji.qry.projection.opinion.*``): statistics per unit and period rolled up over the
subtree (own, subtree, each child), the cases a unit sees, one case with its timeline, and the response
plan versions (nil reports are in opinion_nil_reports.py). Drills are listed but never counted. The
runner adds the opinion projector's freshness; contracts: contracts/queries/opinion.py.

Periods are local (Asia/Shanghai) and a case counts in the period of its capture date: ``period`` is
``2026``, ``2026-Q3`` or ``2026-09``; or give ``from`` and ``to`` (ISO dates, inclusive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from contracts.commands import not_known
from contracts.queries import QUERIES as CONTRACTS
from contracts.queries.base import MonthlyParams, UnitParams
from contracts.queries.opinion import CaseParams, CasesParams, SpanParams
from contracts.units import division_codes, level_of
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date
from services.eventkit.periods import parse_period
from services.eventkit.queries import QueryError, QuerySpec
from services.projection.params import jsonable, monthly, order_by, within
from services.projection.queries import SCHEMA

PROJECTOR = "opinion"
S = SCHEMA
MAX_DAYS = 400
CLOSED_STATES = "('closed', 'dismissed')"
TIMES = {
    "acknowledge": "c.acknowledged_at - c.first_assigned_at",
    "first_response": "c.first_action_at - c.graded_at",
    "close": "c.closed_at - c.graded_at",
}
CASE_FILTERS = {
    "all": "true",
    "open": f"c.state NOT IN {CLOSED_STATES}",
    "overdue": f"c.state NOT IN {CLOSED_STATES} AND cardinality(c.overdue) > 0",
    "supervised": f"c.state NOT IN {CLOSED_STATES} AND c.supervisor IS NOT NULL",
    "drill": "c.drill",
    # the unit's own move is next: assigned to it, or on its desk with nobody assigned (an escalation to it)
    "waiting": f"c.state NOT IN {CLOSED_STATES} AND coalesce(c.assignee, c.desk) = $1",
}


def at_or_below(column: str) -> str:
    """Like ``within`` against the roots of a stats query, where ``exact`` roots count only themselves."""
    return f"({column} = r.root OR (NOT r.exact AND {column} >= r.root || '.' AND {column} < r.root || '/'))"


@dataclass(frozen=True)
class Span:
    label: str
    first: date
    last: date

    def as_json(self) -> dict[str, str]:
        return {"label": self.label, "from": self.first.isoformat(), "to": self.last.isoformat()}


def span_param(params: SpanParams, default_year: bool = True) -> Span | None:
    """The period asked for: ``from``/``to``, or ``period``, else this (local) year, or None if not wanted."""
    if (params.from_ is None) != (params.to is None):
        raise QueryError("invalid", f"{'to' if params.to is None else 'from'}: give both from and to")
    try:
        if params.from_ is not None and params.to is not None:
            return _range(params.from_, params.to)
        text = params.period or (str(local_date(datetime.now(UTC)).year) if default_year else None)
        if not text:
            return None
        period = parse_period(text)
        return Span(period.label, period.first_day, period.last_day)
    except ValueError as error:
        raise QueryError("invalid", f"period: {error}") from None


def _range(first: date, last: date) -> Span:
    if last < first or (last - first).days > MAX_DAYS:
        raise ValueError(f"from … to must be in order and at most {MAX_DAYS} days apart")
    return Span(f"{first}..{last}", first, last)


def _stats_sql() -> str:
    rep, own = at_or_below("c.reported_unit"), f"(c.relevant AND {at_or_below('c.owning_unit')})"
    is_open = f"c.state NOT IN {CLOSED_STATES}"
    times = []
    for name, interval in TIMES.items():
        seconds = f"extract(epoch FROM {interval})"
        done = f"FILTER (WHERE {own} AND {interval} IS NOT NULL)"
        times += [
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {seconds}) {done} AS {name}_median",
            f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {seconds}) {done} AS {name}_p90",
            f"count(*) {done} AS {name}_count",
        ]
    return (
        f"SELECT r.n, count(*) FILTER (WHERE {rep}) AS items,"
        f" count(*) FILTER (WHERE {rep} AND c.state = 'reported') AS awaiting_grading,"
        f" count(*) FILTER (WHERE {rep} AND c.state = 'dismissed') AS dismissed,"
        f" count(*) FILTER (WHERE {own}) AS incidents,"
        f" count(*) FILTER (WHERE {own} AND {is_open}) AS open,"
        f" count(*) FILTER (WHERE {own} AND {is_open} AND cardinality(c.overdue) > 0) AS overdue,"
        f" count(*) FILTER (WHERE {own} AND {is_open} AND c.supervisor IS NOT NULL) AS supervised,"
        f" count(*) FILTER (WHERE {own} AND c.ever_overdue) AS ever_overdue, {', '.join(times)}"
        f" FROM unnest($1::text[], $2::bool[]) WITH ORDINALITY AS r(root, exact, n)"
        f" JOIN {S}.opinion_cases c ON ({rep} OR {own})"
        f" WHERE NOT c.drill AND c.captured_on BETWEEN $3 AND $4 GROUP BY r.n"
    )


BREAKDOWN_SQL = (
    f"SELECT r.n, c.severity, c.state, count(*) AS cases"
    f" FROM unnest($1::text[], $2::bool[]) WITH ORDINALITY AS r(root, exact, n)"
    f" JOIN {S}.opinion_cases c ON c.relevant AND {at_or_below('c.owning_unit')}"
    f" WHERE NOT c.drill AND c.captured_on BETWEEN $3 AND $4 GROUP BY 1, 2, 3"
)
STATS_SQL = _stats_sql()


def _times_by_severity_sql() -> str:
    """The subtree's incidents (relevant, owned there) by severity: each step's median and count."""
    times = []
    for name, interval in TIMES.items():
        done = f"FILTER (WHERE {interval} IS NOT NULL)"
        times += [
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM {interval})) {done} AS {name}_median",
            f"count(*) {done} AS {name}_count",
        ]
    return (
        f"SELECT c.severity, {', '.join(times)} FROM {S}.opinion_cases c"
        f" WHERE NOT c.drill AND c.relevant AND c.severity IS NOT NULL AND {within('c.owning_unit')}"
        f" AND c.captured_on BETWEEN $2 AND $3 GROUP BY c.severity"
    )


TIMES_BY_SEVERITY_SQL = _times_by_severity_sql()
COUNTS = (
    "items",
    "awaiting_grading",
    "dismissed",
    "incidents",
    "open",
    "overdue",
    "supervised",
    "ever_overdue",
)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


async def _stats(conn: Conn, roots: list[str], exact: list[bool], span: Span) -> list[dict[str, Any]]:
    """The statistics of each root (its subtree, or only itself where ``exact``), in order."""
    no_times = {name: {"median": None, "p90": None, "count": 0} for name in TIMES}
    found: list[dict[str, Any]] = [
        {**dict.fromkeys(COUNTS, 0), "by_severity": {}, "by_state": {}, "hours": no_times} for _ in roots
    ]
    for row in await conn.fetch(STATS_SQL, roots, exact, span.first, span.last):
        stats = found[row["n"] - 1]
        stats.update({name: row[name] for name in COUNTS})
        stats["hours"] = {
            name: {
                "median": _hours(row[f"{name}_median"]),
                "p90": _hours(row[f"{name}_p90"]),
                "count": row[f"{name}_count"],
            }
            for name in TIMES
        }
    for row in await conn.fetch(BREAKDOWN_SQL, roots, exact, span.first, span.last):
        stats = found[row["n"] - 1]
        stats["by_severity"][row["severity"]] = stats["by_severity"].get(row["severity"], 0) + row["cases"]
        stats["by_state"][row["state"]] = stats["by_state"].get(row["state"], 0) + row["cases"]
    return found


async def unit_stats(conn: Conn, params: SpanParams) -> dict[str, Any]:
    """A unit's statistics for a period: own, subtree, and each child's subtree (one snapshot)."""
    path, span = params.path, span_param(params)
    assert span is not None
    unit = await conn.fetchrow(f"SELECT path, name, kind FROM {S}.units WHERE path = $1", path)
    if unit is None:
        raise QueryError("not_found", not_known("unit", path))
    children = await conn.fetch(
        f"SELECT path, name, kind FROM {S}.units WHERE parent = $1 ORDER BY path", path
    )
    roots = [path, path, *(child["path"] for child in children)]
    stats = await _stats(conn, roots, [False, True] + [False] * len(children), span)
    return {
        **dict(unit),
        "level": level_of(path),
        "period": span.as_json(),
        "subtree": stats[0],
        "own": stats[1],
        "children": [{**dict(child), "subtree": stats[2 + i]} for i, child in enumerate(children)],
        "hours_by_severity": {
            row["severity"]: {
                name: {"median": _hours(row[f"{name}_median"]), "count": row[f"{name}_count"]}
                for name in TIMES
            }
            for row in await conn.fetch(TIMES_BY_SEVERITY_SQL, path, span.first, span.last)
        },
    }


LIST_COLUMNS = (
    "c.case_id, c.title, c.channel, c.source, c.drill, c.state, c.category, c.severity, c.reported_unit,"
    " c.owning_unit, c.desk, c.assignee, c.supervisor, c.captured_at, c.reported_at, c.deadlines, c.overdue,"
    " c.escalations"
)


def touching(root: str = "$1") -> str:
    """SQL: the case was reported, is owned, held or assigned in the subtree of ``root``."""
    return " OR ".join(
        within(f"c.{column}", root) for column in ("reported_unit", "owning_unit", "desk", "assignee")
    )


TOUCHING = touching()


CASE_SORTS = {name: f"c.{name}" for name in ("reported_at", "captured_at", "title", "state", "severity")}


async def cases(conn: Conn, params: CasesParams) -> dict[str, Any]:
    """The cases a unit sees: touching its subtree (reported, owned, held or assigned there) or supervised
    by it or below it; newest first. ``filter``: all, open, overdue, supervised, drill, or
    waiting (the unit's own move is next); ``state``, ``severity`` and ``child`` (touching that
    unit's subtree) narrow it further."""
    path, span = params.path, span_param(params, default_year=False)
    which, limit, offset = params.filter, params.limit, params.offset
    supervised_here = within("c.supervisor")
    where = f"({TOUCHING} OR {supervised_here}) AND {CASE_FILTERS[which]}"
    args: list[Any] = [path]
    if span is not None:
        where += " AND c.captured_on BETWEEN $2 AND $3"
        args += [span.first, span.last]
    if params.state is not None:
        args.append(params.state)
        where += f" AND c.state = ${len(args)}"
    if params.severity is not None:
        args.append(params.severity.value)
        where += f" AND c.severity = ${len(args)}"
    if params.child is not None:
        args.append(params.child)
        where += f" AND ({touching(f'${len(args)}')})"
    total = await conn.fetchval(f"SELECT count(*) FROM {S}.opinion_cases c WHERE {where}", *args)
    rows = await conn.fetch(
        f"SELECT {LIST_COLUMNS}, coalesce({supervised_here}, false) AS supervised_here"
        f" FROM {S}.opinion_cases c WHERE {where}"
        f" {order_by(params.sort, CASE_SORTS, 'c.case_id')} LIMIT {limit} OFFSET {offset}",
        *args,
    )
    return {
        "path": path,
        "filter": which,
        "period": span.as_json() if span else None,
        "total": total,
        "cases": [jsonable(row) for row in rows],
    }


async def case(conn: Conn, params: CaseParams) -> dict[str, Any]:
    """One case as the view holds it, with its timeline in order."""
    case_id = params.case_id
    row = await conn.fetchrow(f"SELECT * FROM {S}.opinion_cases WHERE case_id = $1", case_id)
    if row is None:
        raise QueryError("not_found", not_known("case", case_id))
    timeline = await conn.fetch(
        f"SELECT seq, at, type, actor, unit, detail FROM {S}.opinion_timeline WHERE case_id = $1 ORDER BY seq",
        case_id,
    )
    return {
        **jsonable(row),
        "timeline": [jsonable(t) for t in timeline],
    }


async def plans(conn: Conn, params: UnitParams) -> dict[str, Any]:
    """Every adopted version of the response plan of the city ``path`` belongs to, newest first."""
    city = division_codes(params.path)[0]
    rows = await conn.fetch(
        f"SELECT version, limits, note, adopted_at FROM {S}.opinion_plans WHERE city = $1 ORDER BY version DESC",
        city,
    )
    return {"city": city, "versions": [jsonable(row) for row in rows]}


MONTHLY_SQL = (
    f"SELECT date_trunc('month', c.captured_on)::date AS month, count(*) AS n FROM {S}.opinion_cases c"
    f" WHERE NOT c.drill AND {within('c.reported_unit')} AND c.captured_on BETWEEN $2 AND $3 GROUP BY 1"
)


async def opinion_monthly(conn: Conn, params: MonthlyParams) -> dict[str, Any]:
    """Items reported in the unit's subtree, month by month (drills left out, as in every statistic)."""
    return await monthly(conn, params, MONTHLY_SQL)


QUERIES = [
    *(
        QuerySpec(CONTRACTS[f"opinion.{handler.__name__}"], PROJECTOR, handler)
        for handler in (unit_stats, cases, case, plans)
    ),
    QuerySpec(CONTRACTS["opinion.monthly"], PROJECTOR, opinion_monthly),
]

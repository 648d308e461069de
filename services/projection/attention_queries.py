"""What needs a unit's people now (``sanji.qry.projection.attention``; contract in
contracts/queries/attention.py): plan versus actual of the unit and each child in the current period of
every target, and this year's incidents of the subtree by state and severity. It keeps no table of its
own; its freshness is the outreach view's, as the work summary's is."""

from __future__ import annotations

from typing import Any

from contracts.outreach import Cadence
from contracts.queries import QUERIES as CONTRACTS
from contracts.queries.base import UnitParams
from services.eventkit.db import Conn
from services.eventkit.periods import period_of
from services.eventkit.projector import Projector
from services.eventkit.queries import QuerySpec
from services.projection.outreach_queries import plans, today, unit_row
from services.projection.params import within
from services.projection.queries import SCHEMA

S = SCHEMA
PROJECTOR = "outreach"
# As the opinion page's statistics count them (opinion_queries.BREAKDOWN_SQL), crossed by state × severity;
# closed cases too: it is the year's loop, not only the open work.
FUNNEL_SQL = (
    f"SELECT c.state, c.severity, count(*) AS cases FROM {S}.opinion_cases c"
    f" WHERE c.relevant AND NOT c.drill AND {within('c.owning_unit')} AND c.captured_on BETWEEN $2 AND $3"
    " GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST"
)


def progress_row(path: str, name: str, plan: dict[str, Any]) -> dict[str, Any] | None:
    """A unit's targets summed over their current periods, or None when it has no target this year."""
    current = [period for target in plan["targets"] for period in target["periods"]]
    if not current:
        return None
    return {
        "path": path,
        "name": name,
        "targets": len(plan["targets"]),
        "target": sum(period["target"] for period in current),
        "actual": sum(period["actual"] for period in current),
        "shortfall": sum(period["shortfall"] for period in current),
        "behind": sum(1 for period in current if period["shortfall"] > 0),
    }


async def attention(conn: Conn, params: UnitParams) -> dict[str, Any]:
    """Plan versus actual now (the unit, then its children) and the year's opinion loop of the subtree."""
    path, day = params.path, today()
    unit = await unit_row(conn, path)
    children = await conn.fetch(f"SELECT path, name FROM {S}.units WHERE parent = $1 ORDER BY path", path)
    units = [(unit["path"], unit["name"]), *((child["path"], child["name"]) for child in children)]
    # A month overlaps exactly one period of each cadence: the target's current one.
    planned = await plans(conn, [p for p, _ in units], period_of(day, Cadence.MONTH), day)
    rows = [progress_row(p, name, planned[p]) for p, name in units]
    year = period_of(day, Cadence.YEAR)
    funnel = await conn.fetch(FUNNEL_SQL, path, year.first_day, year.last_day)
    return {
        "path": path,
        "today": day.isoformat(),
        "year": year.year,
        "plan": [row for row in rows if row is not None],
        "funnel": [dict(row) for row in funnel],
    }


PROJECTORS: list[Projector] = []  # it reads the outreach and opinion views' tables
QUERIES = [QuerySpec(CONTRACTS["attention"], PROJECTOR, attention)]

"""What every query module needs for its rows: subtree SQL on the path index, and rows as JSON-ready
values. (Parameters are checked by their contracts in contracts/queries before a handler runs.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from contracts.queries.base import MonthlyParams
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date


def within(column: str, root: str = "$1", *, own: bool = False) -> str:
    """SQL: ``column`` is ``root`` (only that, with ``own``) or lies below it — an index range on the
    text path ('/' sorts right after '.')."""
    if own:
        return f"{column} = {root}"
    return f"({column} = {root} OR ({column} >= {root} || '.' AND {column} < {root} || '/'))"


def order_by(sort: str, columns: Mapping[str, str], tiebreak: str) -> str:
    """SQL ORDER BY for a sort key the contract checked (a column, ``-`` first for descending), then
    ``tiebreak`` so that pages of equal values stay stable."""
    direction = "DESC" if sort.startswith("-") else "ASC"
    return f"ORDER BY {columns[sort.removeprefix('-')]} {direction} NULLS LAST, {tiebreak}"


def jsonable(record: asyncpg.Record | dict[str, Any]) -> dict[str, Any]:
    """A row as JSON-ready values: dates and times as ISO 8601 text."""
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in dict(record).items()}


async def monthly(conn: Conn, params: MonthlyParams, sql: str) -> dict[str, Any]:
    """Twelve months of a count for a unit subtree: ``sql`` takes the path, the year's first and last day
    and answers ``month`` (its first day) and ``n``; a month it leaves out counts 0."""
    year = params.year or local_date(datetime.now(UTC)).year
    rows = await conn.fetch(sql, params.path, date(year, 1, 1), date(year, 12, 31))
    counted = {row["month"]: int(row["n"]) for row in rows}
    months = [{"month": f"{year}-{m:02d}", "count": counted.get(date(year, m, 1), 0)} for m in range(1, 13)]
    return {"path": params.path, "year": year, "months": months}

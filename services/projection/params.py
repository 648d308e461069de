"""What every query module needs for its rows: subtree SQL on the path index, and rows as JSON-ready
values. (Parameters are checked by their contracts in contracts/queries before a handler runs.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import asyncpg


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

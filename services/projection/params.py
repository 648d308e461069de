"""What every query module needs from its parameters and rows: a checked unit path, subtree SQL on the
path index, and rows as JSON-ready values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from contracts.units import UnitPathError, parse_unit_path
from services.eventkit.runtime import QueryError

MAX_OFFSET = 1_000_000  # far below bigint: a deeper page is a narrower filter away


def unit_param(params: dict[str, Any], key: str = "path") -> str:
    """The unit path under ``key``; QueryError naming the parameter and the bad segment."""
    try:
        return parse_unit_path(str(params.get(key, "")))
    except UnitPathError as error:
        raise QueryError("invalid", f"{key}: {error}") from None


def within(column: str, root: str = "$1", *, own: bool = False) -> str:
    """SQL: ``column`` is ``root`` (only that, with ``own``) or lies below it — an index range on the
    text path ('/' sorts right after '.')."""
    if own:
        return f"{column} = {root}"
    return f"({column} = {root} OR ({column} >= {root} || '.' AND {column} < {root} || '/'))"


def jsonable(record: asyncpg.Record | dict[str, Any]) -> dict[str, Any]:
    """A row as JSON-ready values: dates and times as ISO 8601 text."""
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in dict(record).items()}


def int_param(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise QueryError("invalid", f"{name}: a whole number from {low} to {high}")
    return value

"""The unit tree's queries (``sanji.qry.projection.units`` / ``.unit``; contracts in
contracts/queries/units.py). The runner (eventkit/queries.py) adds how fresh each answer is."""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.commands import not_known
from contracts.queries import QUERIES as QUERY_CONTRACTS
from contracts.queries.base import NoParams, UnitParams
from services.eventkit.db import Conn
from services.eventkit.queries import QueryError, QuerySpec

SCHEMA = "projection"
PROJECTOR = "units"


def _totals(rows: list[asyncpg.Record], prefix: str) -> dict[str, Any]:
    by_kind = {
        row["kind"]: {"activities": row[f"{prefix}_activities"], "audience": row[f"{prefix}_audience"]}
        for row in rows
        if row[f"{prefix}_activities"]
    }
    return {
        "activities": sum(v["activities"] for v in by_kind.values()),
        "audience": sum(v["audience"] for v in by_kind.values()),
        "by_kind": by_kind,
    }


async def _summaries(conn: Conn, where: str, *args: Any) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT u.path, u.name, u.kind, u.level,"
        f" coalesce(sum(c.subtree_activities), 0)::bigint AS activities,"
        f" coalesce(sum(c.subtree_audience), 0)::bigint AS audience"
        f" FROM {SCHEMA}.units u LEFT JOIN {SCHEMA}.activity_counts c ON c.path = u.path"
        f" WHERE {where} GROUP BY u.path ORDER BY u.path",
        *args,
    )
    return [
        {
            "path": r["path"],
            "name": r["name"],
            "kind": r["kind"],
            "level": r["level"],
            "subtree": {"activities": r["activities"], "audience": r["audience"]},
        }
        for r in rows
    ]


async def list_top_units(conn: Conn, _params: NoParams) -> dict[str, Any]:
    return {"units": await _summaries(conn, "u.parent IS NULL")}


async def get_unit(conn: Conn, params: UnitParams) -> dict[str, Any]:
    path = params.path
    # One snapshot (the runner's), so own + children always add up to the subtree in the answer.
    unit = await conn.fetchrow(f"SELECT * FROM {SCHEMA}.units WHERE path = $1", path)
    if unit is None:
        raise QueryError("not_found", not_known("unit", path))
    counts = await conn.fetch(f"SELECT * FROM {SCHEMA}.activity_counts WHERE path = $1", path)
    return {
        "path": unit["path"],
        "parent": unit["parent"],
        "name": unit["name"],
        "kind": unit["kind"],
        "level": unit["level"],
        # A unit merged away (撤并) keeps its history here; its successor carries on.
        "retired_on": unit["retired_on"].isoformat() if unit["retired_on"] else None,
        "successor": unit["successor"],
        "own": _totals(counts, "own"),
        "subtree": _totals(counts, "subtree"),
        "children": await _summaries(conn, "u.parent = $1", path),
    }


QUERIES = [
    QuerySpec(QUERY_CONTRACTS["units"], PROJECTOR, list_top_units),
    QuerySpec(QUERY_CONTRACTS["unit"], PROJECTOR, get_unit),
]

"""Read API of the projection, answered over NATS (``sanji.qry.projection.*``) for the gateway.
Every answer says how fresh it is: the stream sequence applied and how long ago."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from contracts.commands import not_known
from contracts.units import UnitPathError, parse_unit_path
from services.eventkit.db import Conn
from services.eventkit.runtime import QueryError

SCHEMA = "projection"
PROJECTOR = "units"


async def freshness(conn: asyncpg.Pool | Conn, projector: str = PROJECTOR) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"SELECT seq, updated_at FROM {SCHEMA}.stream_checkpoints WHERE name = $1", projector
    )
    if row is None:
        return {"checkpoint": 0, "updated_at": None, "age_seconds": None}
    age = (datetime.now(UTC) - row["updated_at"]).total_seconds()
    return {
        "checkpoint": row["seq"],
        "updated_at": row["updated_at"].isoformat(),
        "age_seconds": round(age, 3),
    }


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


async def list_top_units(pool: asyncpg.Pool, _params: dict[str, Any]) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return {"units": await _summaries(conn, "u.parent IS NULL"), "freshness": await freshness(conn)}


async def get_unit(pool: asyncpg.Pool, params: dict[str, Any]) -> dict[str, Any]:
    path = str(params.get("path", ""))
    try:
        parse_unit_path(path)
    except UnitPathError as error:
        raise QueryError("invalid", f"unitpath: {error}") from None
    # One snapshot, so own + children always add up to the subtree in the answer.
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
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
            "freshness": await freshness(conn),
        }


QUERIES = {"units": list_top_units, "unit": get_unit}

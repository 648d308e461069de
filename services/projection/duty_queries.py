"""Read API of the duty view, current state: a unit's posts, outlets, coverage gaps, inspections and
rectifications, its own and rolled up over its subtree, and the lists behind those counts.

Counts are computed when asked, over "C"-collated range scans of the subtree: duty's records number
in the thousands for a whole city, so this stays fast and can never drift from the rows it counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from contracts.commands import not_known
from contracts.envelope import utc_now
from contracts.queries.base import AsOfParams, UnitParams
from contracts.queries.duty import RectificationsParams
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date
from services.eventkit.queries import QueryError
from services.projection.params import jsonable, within
from services.projection.queries import SCHEMA

S = SCHEMA
# The unit fields duty's answers carry, as they did when duty kept its own copy of the units.
DUTY_UNIT_FIELDS = (
    "path",
    "parent",
    "name",
    "kind",
    "registered_on",
    "retired_on",
    "successor",
    "previous_path",
)


def unit_columns(alias: str = "") -> str:
    """The select list of DUTY_UNIT_FIELDS from the unit table (``alias.`` before each, if given)."""
    return ", ".join(f"{alias}.{field}" if alias else field for field in DUTY_UNIT_FIELDS)


def as_of(params: AsOfParams) -> date:
    """The ``as_of`` local date, today in Asia/Shanghai when omitted."""
    return params.as_of or local_date(utc_now())


def _empty() -> dict[str, Any]:
    return {
        "posts": {"filled": 0, "vacant": 0},
        "coverage_gaps": 0,
        "outlets": {"total": 0, "by_status": {}, "by_kind": {}},
        "inspections": 0,
        "findings": 0,
        "rectifications": {"open": 0, "overdue": 0, "closed": 0, "closed_late": 0},
    }


async def summaries(conn: Conn, paths: list[str], *, own: bool) -> dict[str, dict[str, Any]]:
    """Per unit: posts filled/vacant, gaps, outlets by kind and status, inspections, rectifications."""
    found = {path: _empty() for path in paths}
    units = "unnest($1::text[]) AS c(path)"
    rows = await conn.fetch(
        f"SELECT c.path, count(*) FILTER (WHERE p.staff_no IS NOT NULL) AS filled,"
        f" count(*) FILTER (WHERE p.staff_no IS NULL) AS vacant FROM {units}"
        f" JOIN {S}.duty_posts p ON p.abolished_on IS NULL AND {within('p.unit', 'c.path', own=own)} GROUP BY 1",
        paths,
    )
    for row in rows:
        found[row["path"]]["posts"] = {"filled": row["filled"], "vacant": row["vacant"]}
    rows = await conn.fetch(
        f"SELECT c.path, o.kind, o.status, count(*) AS n, count(o.gap_since) AS gaps FROM {units}"
        f" JOIN {S}.duty_outlets o ON {within('o.unit', 'c.path', own=own)} GROUP BY 1, 2, 3",
        paths,
    )
    for row in rows:
        outlets = found[row["path"]]["outlets"]
        outlets["total"] += row["n"]
        outlets["by_status"][row["status"]] = outlets["by_status"].get(row["status"], 0) + row["n"]
        outlets["by_kind"].setdefault(row["kind"], {})[row["status"]] = row["n"]
        found[row["path"]]["coverage_gaps"] += row["gaps"]
    rows = await conn.fetch(
        f"SELECT c.path, count(DISTINCT i.inspection_id) AS inspections, count(f.finding_id) AS findings"
        f" FROM {units} JOIN {S}.duty_inspections i ON {within('i.unit', 'c.path', own=own)}"
        f" LEFT JOIN {S}.duty_findings f ON f.inspection_id = i.inspection_id GROUP BY 1",
        paths,
    )
    for row in rows:
        found[row["path"]] |= {"inspections": row["inspections"], "findings": row["findings"]}
    rows = await conn.fetch(
        f"SELECT c.path, count(*) FILTER (WHERE r.closed_at IS NULL) AS open,"
        f" count(*) FILTER (WHERE r.closed_at IS NULL AND r.overdue_at IS NOT NULL) AS overdue,"
        f" count(*) FILTER (WHERE r.closed_at IS NOT NULL) AS closed,"
        f" count(*) FILTER (WHERE r.late) AS closed_late"
        f" FROM {units} JOIN {S}.duty_rectifications r ON {within('r.unit', 'c.path', own=own)} GROUP BY 1",
        paths,
    )
    for row in rows:
        found[row["path"]]["rectifications"] = {
            k: row[k] for k in ("open", "overdue", "closed", "closed_late")
        }
    return found


def unit_row(row: asyncpg.Record) -> dict[str, Any]:
    return jsonable(row)


async def known_unit(conn: Conn, path: str) -> asyncpg.Record:
    row = await conn.fetchrow(f"SELECT {unit_columns()} FROM {S}.units WHERE path = $1", path)
    if row is None:
        raise QueryError("not_found", not_known("unit", path))
    return row


async def duty_unit(conn: Conn, params: UnitParams) -> dict[str, Any]:
    """A unit's duty figures, own and rolled up, and each child's rolled-up figures."""
    path = params.path
    unit = await known_unit(conn, path)
    children = await conn.fetch(
        f"SELECT {unit_columns()} FROM {S}.units WHERE parent = $1 ORDER BY path", path
    )
    child_paths = [child["path"] for child in children]
    subtree = await summaries(conn, [path, *child_paths], own=False)
    own = await summaries(conn, [path], own=True)
    return {
        **unit_row(unit),
        "own": own[path],
        "subtree": subtree[path],
        "children": [{**unit_row(child), "subtree": subtree[child["path"]]} for child in children],
    }


async def duty_gaps(conn: Conn, params: UnitParams) -> dict[str, Any]:
    """Open coverage gaps in a subtree: outlets whose owning post is vacant."""
    path = params.path
    rows = await conn.fetch(
        f"SELECT o.outlet_id, o.name AS outlet_name, o.kind, o.status, o.unit, u.name AS unit_name,"
        f" o.owner_post_id AS post_id, p.title AS post_title, o.gap_since AS since"
        f" FROM {S}.duty_outlets o JOIN {S}.units u ON u.path = o.unit"
        f" LEFT JOIN {S}.duty_posts p ON p.post_id = o.owner_post_id"
        f" WHERE o.gap_since IS NOT NULL AND {within('o.unit', '$1')} ORDER BY o.gap_since, o.outlet_id",
        path,
    )
    return {"gaps": [jsonable(row) for row in rows]}


async def duty_inspections(conn: Conn, params: UnitParams) -> dict[str, Any]:
    """Inspections in a subtree, newest first, with their findings and any rectification."""
    path = params.path
    inspections = await conn.fetch(
        f"SELECT * FROM {S}.duty_inspections WHERE {within('unit', '$1')} ORDER BY inspected_on DESC, 1",
        path,
    )
    findings = await conn.fetch(
        f"SELECT f.*, r.closed_at, r.overdue_at FROM {S}.duty_findings f"
        f" LEFT JOIN {S}.duty_rectifications r USING (rectification_id)"
        " WHERE f.inspection_id = ANY($1::text[]) ORDER BY f.inspection_id, f.finding_id",
        [row["inspection_id"] for row in inspections],
    )
    by_inspection: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        state = (
            None if f["rectification_id"] is None else rectification_state(f["closed_at"], f["overdue_at"])
        )
        by_inspection.setdefault(f["inspection_id"], []).append(
            {
                "finding_id": f["finding_id"],
                "outlet_id": f["outlet_id"],
                "item": f["item"],
                "description": f["description"],
                "rectification_id": f["rectification_id"],
                "rectification_state": state,
            }
        )
    return {
        "inspections": [
            {**jsonable(row), "findings": by_inspection.get(row["inspection_id"], [])} for row in inspections
        ],
    }


def rectification_state(closed_at: object, overdue_at: object) -> str:
    if closed_at is not None:
        return "closed"
    return "overdue" if overdue_at is not None else "open"


STATES = {
    "open": "r.closed_at IS NULL",
    "overdue": "r.closed_at IS NULL AND r.overdue_at IS NOT NULL",
    "closed": "r.closed_at IS NOT NULL",
    "all": "true",
}


async def duty_rectifications(conn: Conn, params: RectificationsParams) -> dict[str, Any]:
    """Rectifications in a subtree (``state``: open, overdue, closed or all), soonest due first."""
    path, state = params.path, params.state
    rows = await conn.fetch(
        f"SELECT r.*, o.name AS outlet_name, u.name AS unit_name FROM {S}.duty_rectifications r"
        f" LEFT JOIN {S}.duty_outlets o USING (outlet_id) LEFT JOIN {S}.units u ON u.path = r.unit"
        f" WHERE {within('r.unit', '$1')} AND {STATES[state]} ORDER BY r.due_at, r.rectification_id",
        path,
    )
    return {
        "rectifications": [
            {**jsonable(row), "state": rectification_state(row["closed_at"], row["overdue_at"])}
            for row in rows
        ],
    }

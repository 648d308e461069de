"""Read API of the duty view "as of" a date: the unit tree, the posts and who held them, the outlets
and who answered for them, and the four-level responsibility list — each a range query on the
validity intervals in duty_history ([valid_from, valid_to), NULL ends open)."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from contracts.commands import not_known
from contracts.duty import PostKind
from contracts.queries.base import AsOfParams
from contracts.queries.duty import OutletsParams, PostsParams
from contracts.units import division_codes
from services.eventkit.db import Conn
from services.eventkit.queries import QueryError
from services.projection.duty_queries import S, as_of, unit_columns
from services.projection.params import jsonable, within


def valid(alias: str, day: str = "$2") -> str:
    return (
        f"({alias}.valid_from IS NULL OR {alias}.valid_from <= {day})"
        f" AND ({alias}.valid_to IS NULL OR {alias}.valid_to > {day})"
    )


async def unit_at(conn: Conn, path: str, day: date) -> dict[str, Any]:
    """The unit as it stood on ``day`` (its name then), or not_found saying why."""
    row = await conn.fetchrow(
        f"SELECT {unit_columns('u')}, h.value AS name_then FROM {S}.units u LEFT JOIN {S}.duty_history h"
        f" ON h.subject = 'unit:' || u.path AND h.attribute = 'name' AND {valid('h')} WHERE u.path = $1",
        path,
        day,
    )
    if row is None:
        raise QueryError("not_found", not_known("unit", path))
    if row["name_then"] is None:
        if row["retired_on"] is not None and row["retired_on"] <= day:
            onward = f"; it continues as {row['successor']}" if row["successor"] else ""
            raise QueryError("not_found", f"unit {path} was retired on {row['retired_on']}{onward}")
        raise QueryError("not_found", f"unit {path} did not exist yet on {day}")
    return {**jsonable(row), "name": row["name_then"], "name_now": row["name"]}


async def names_at(conn: Conn, paths: list[str], day: date) -> dict[str, str]:
    rows = await conn.fetch(
        f"SELECT substr(h.subject, 6) AS path, h.value FROM {S}.duty_history h"
        f" WHERE h.subject = ANY($1::text[]) AND h.attribute = 'name' AND {valid('h')}",
        [f"unit:{path}" for path in paths],
        day,
    )
    return {row["path"]: row["value"] for row in rows}


async def posts_at(conn: Conn, path: str, day: date, *, own: bool) -> list[dict[str, Any]]:
    """Posts at ``path`` (or in its subtree) on ``day`` and who held each then (None: vacant)."""
    rows = await conn.fetch(
        f"SELECT substr(h.subject, 6) AS post_id, h.value AS unit, p.kind, p.title,"
        f" ho.value AS staff_no, ho.detail AS person_name, ho.valid_from AS since"
        f" FROM {S}.duty_history h JOIN {S}.duty_posts p ON p.post_id = substr(h.subject, 6)"
        f" LEFT JOIN {S}.duty_history ho ON ho.subject = h.subject AND ho.attribute = 'holder' AND {valid('ho')}"
        f" WHERE h.attribute = 'unit' AND h.subject LIKE 'post:%' AND {within('h.value', '$1', own=own)}"
        f" AND {valid('h')} ORDER BY h.value, p.kind, p.post_id",
        path,
        day,
    )
    return [post_entry(row) for row in rows]


def post_entry(row: asyncpg.Record) -> dict[str, Any]:
    holder = None
    if row["staff_no"] is not None:
        since = row["since"].isoformat() if row["since"] else None
        holder = {"staff_no": row["staff_no"], "person_name": row["person_name"], "since": since}
    return {
        "post_id": row["post_id"],
        "unit": row["unit"],
        "kind": row["kind"],
        "title": row["title"],
        "holder": holder,
    }


async def outlets_at(
    conn: Conn, path: str, day: date, kind: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Outlets in the subtree on ``day``: their status, owning post and its holder then."""
    rows = await conn.fetch(
        f"SELECT substr(h.subject, 8) AS outlet_id, h.value AS unit, o.kind, o.name, o.address,"
        f" st.value AS status, ow.value AS post_id, p.title, p.kind AS post_kind,"
        f" ho.value AS staff_no, ho.detail AS person_name, ho.valid_from AS since"
        f" FROM {S}.duty_history h JOIN {S}.duty_outlets o ON o.outlet_id = substr(h.subject, 8)"
        f" JOIN {S}.duty_history st ON st.subject = h.subject AND st.attribute = 'status' AND {valid('st')}"
        f" JOIN {S}.duty_history ow ON ow.subject = h.subject AND ow.attribute = 'owner' AND {valid('ow')}"
        f" LEFT JOIN {S}.duty_posts p ON p.post_id = ow.value"
        f" LEFT JOIN {S}.duty_history ho ON ho.subject = 'post:' || ow.value AND ho.attribute = 'holder'"
        f" AND {valid('ho')}"
        f" WHERE h.attribute = 'unit' AND h.subject LIKE 'outlet:%' AND {within('h.value', '$1')} AND {valid('h')}"
        " AND ($3::text IS NULL OR o.kind = $3) AND ($4::text IS NULL OR st.value = $4)"
        " ORDER BY h.value, o.kind, 1",
        path,
        day,
        kind,
        status,
    )
    return [
        {
            "outlet_id": row["outlet_id"],
            "unit": row["unit"],
            "kind": row["kind"],
            "name": row["name"],
            "address": row["address"],
            "status": row["status"],
            "owner": {**post_entry(row), "kind": row["post_kind"], "unit": None},
        }
        for row in rows
    ]


async def duty_tree(conn: Conn, params: AsOfParams) -> dict[str, Any]:
    """The unit tree below ``path`` as it stood on ``as_of``, with the names it had then."""
    path, day = params.path, as_of(params)
    root = await unit_at(conn, path, day)
    rows = await conn.fetch(
        f"SELECT u.path, u.parent, u.kind, h.value AS name FROM {S}.duty_history h"
        f" JOIN {S}.units u ON h.subject = 'unit:' || u.path"
        f" WHERE h.attribute = 'name' AND {within('u.path', '$1')} AND {valid('h')} ORDER BY u.path",
        path,
        day,
    )
    return {
        "as_of": day.isoformat(),
        "root": root,
        "units": [dict(row) for row in rows],
    }


async def duty_posts(conn: Conn, params: PostsParams) -> dict[str, Any]:
    """Posts of a unit (``subtree``: and below) and who held them on ``as_of``."""
    path, day = params.path, as_of(params)
    unit = await unit_at(conn, path, day)
    posts = await posts_at(conn, path, day, own=not params.subtree)
    return {"as_of": day.isoformat(), "unit": unit, "posts": posts}


async def duty_outlets(conn: Conn, params: OutletsParams) -> dict[str, Any]:
    """Outlets in a subtree on ``as_of`` (optionally one ``kind`` or ``status``) and who answered for them."""
    path, day = params.path, as_of(params)
    kind, status = params.kind, params.status
    unit = await unit_at(conn, path, day)
    outlets = await outlets_at(conn, path, day, kind and kind.value, status and status.value)
    return {"as_of": day.isoformat(), "unit": unit, "outlets": outlets}


SECTION_LEVEL = (PostKind.DEPARTMENT_HEAD, PostKind.BRANCH_SECRETARY)
LEVELS = [
    (1, "principal_responsibility", (PostKind.LEADING_GROUP_MEMBER,)),
    (2, "first_responsible", (PostKind.FIRST_RESPONSIBLE,)),
    (3, "leader_in_charge", (PostKind.LEADER_IN_CHARGE,)),
    (4, "department_head", SECTION_LEVEL),
]


async def duty_responsibility_list(conn: Conn, params: AsOfParams) -> dict[str, Any]:
    """四级责任清单 of a unit on ``as_of``: the leading group, the first responsible person, the leaders
    in charge with the sections they oversee, and the heads of its sections and branches — named."""
    path, day = params.path, as_of(params)
    unit = await unit_at(conn, path, day)
    # The unit's own posts and those of its sections (local codes below it, not a township below).
    codes = division_codes(path)
    posts = [p for p in await posts_at(conn, path, day, own=False) if division_codes(p["unit"]) == codes]
    leaders = [p["post_id"] for p in posts if p["kind"] == PostKind.LEADER_IN_CHARGE]
    rows = await conn.fetch(
        f"SELECT substr(h.subject, 6) AS post_id, h.value AS section FROM {S}.duty_history h"
        f" WHERE h.subject = ANY($1::text[]) AND h.attribute = 'oversees' AND {valid('h')} ORDER BY 2",
        [f"post:{post_id}" for post_id in leaders],
        day,
    )
    names = await names_at(conn, sorted({p["unit"] for p in posts} | {r["section"] for r in rows}), day)
    oversees: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        section = {"path": row["section"], "name": names.get(row["section"], row["section"])}
        oversees.setdefault(row["post_id"], []).append(section)
    for post in posts:
        post["unit_name"] = names.get(post["unit"], post["unit"])
        if post["kind"] == PostKind.LEADER_IN_CHARGE:
            post["oversees"] = oversees.get(post["post_id"], [])

    def of(kinds: tuple[PostKind, ...], *, here: bool) -> list[dict[str, Any]]:
        return [p for p in posts if p["kind"] in kinds and (p["unit"] == path) == here]

    levels = [
        {"level": level, "duty": duty, "posts": of(kinds, here=kinds is not SECTION_LEVEL)}
        for level, duty, kinds in LEVELS
    ]
    outlets = [o for o in await outlets_at(conn, path, day) if division_codes(o["unit"]) == codes]
    return {
        "as_of": day.isoformat(),
        "unit": unit,
        "levels": levels,
        "information_officers": [p for p in posts if p["kind"] == PostKind.INFORMATION_OFFICER],
        "group_office": [p for p in posts if p["kind"] == PostKind.GROUP_OFFICE_MEMBER],
        "outlets": outlets,
    }

"""Assessment queries (``sanji.qry.projection.assessment.*``): a unit's score for a period with its
children ranked and its trend over the year, the bulletins that rank a unit, one bulletin version, the
scheme of a year, and the appeals of a subtree. Every answer carries the assessment projector's freshness.

A score is ``frozen`` once a bulletin ranked the unit for the period: it is that bulletin's row, with the
bulletin's rank. Until then ranks are provisional: by total, highest first, vetoed units last."""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.commands import not_known
from contracts.queries import QUERIES as CONTRACTS
from contracts.queries.assessment import AppealsParams, BulletinParams, SchemeParams, ScoreParams
from contracts.queries.base import UnitParams
from contracts.units import ancestors_and_self, is_office, level_of, parent_of
from services.eventkit.db import Conn
from services.eventkit.periods import Period, parse_period, periods_in
from services.eventkit.queries import QueryError, QuerySpec
from services.projection.params import jsonable, order_by, within
from services.projection.queries import SCHEMA

PROJECTOR = "assessment"
S = SCHEMA
SCORE_SQL = (
    "SELECT s.unit, coalesce(u.name, s.unit) AS name, s.period, s.own, s.total, s.vetoed, s.explanation,"
    " s.frozen, s.bulletin_unit, s.bulletin_version, s.rank, s.updated_at"
    f" FROM {S}.assessment_scores s LEFT JOIN {S}.units u ON u.path = s.unit"
)


def period_param(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError as error:
        raise QueryError("invalid", f"period: {error}") from None


async def require_unit(conn: Conn, path: str) -> str:
    """The unit's name; QueryError when assessment has never heard of the unit."""
    name = await conn.fetchval(f"SELECT name FROM {S}.units WHERE path = $1", path)
    if name is None and not await conn.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM {S}.assessment_scores WHERE unit = $1)", path
    ):
        raise QueryError("not_found", not_known("unit", path))
    return str(name or path)


def score_json(row: asyncpg.Record) -> dict[str, Any]:
    found = jsonable(row)
    bulletin_unit, version = found.pop("bulletin_unit"), found.pop("bulletin_version")
    found["bulletin"] = {"unit": bulletin_unit, "version": version} if row["frozen"] else None
    return found


def rank_provisionally(scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highest total first, vetoed units after every other; equal totals share a rank."""
    ordered = sorted(scores, key=lambda s: (s["vetoed"], -s["total"], s["unit"]))
    rank, previous = 0, None
    for index, score in enumerate(ordered, start=1):
        if (score["vetoed"], score["total"]) != previous:
            rank, previous = index, (score["vetoed"], score["total"])
        score["rank"] = rank
    return ordered


def rank_children(children: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Frozen children keep their bulletin's ranks; any provisional child makes every rank provisional."""
    if children and all(child["frozen"] for child in children):
        no_rank = len(children) + 1
        return "bulletin", sorted(children, key=lambda c: (c["rank"] or no_rank, -c["total"], c["unit"]))
    return "provisional", rank_provisionally(children)


async def _trend(conn: Conn, path: str, period: Period) -> list[dict[str, Any]]:
    """The unit's score in every period of ``period``'s cadence in its year (None where unscored)."""
    rows = await conn.fetch(
        f"SELECT period, total, vetoed, frozen FROM {S}.assessment_scores"
        " WHERE unit = $1 AND year = $2 AND cadence = $3",
        path,
        period.year,
        period.cadence.value,
    )
    by_period = {row["period"]: dict(row) for row in rows}
    unscored = {"total": None, "vetoed": None, "frozen": None}
    return [
        by_period.get(p.label, {"period": p.label, **unscored})
        for p in periods_in(period.year, period.cadence)
    ]


async def unit(conn: Conn, params: ScoreParams) -> dict[str, Any]:
    """A unit's score for ``period`` (default: the last one scored), its children ranked, its trend."""
    path = params.path
    name = await require_unit(conn, path)
    if params.period:
        period = period_param(params.period)
    else:
        latest = await conn.fetchval(
            f"SELECT period FROM {S}.assessment_scores WHERE unit = $1 ORDER BY seq DESC LIMIT 1", path
        )
        if latest is None:
            raise QueryError("not_found", f"period: unit {path} has no score yet")
        period = parse_period(latest)
    own = await conn.fetchrow(f"{SCORE_SQL} WHERE s.unit = $1 AND s.period = $2", path, period.label)
    rows = await conn.fetch(f"{SCORE_SQL} WHERE s.parent = $1 AND s.period = $2", path, period.label)
    if own is None and not rows:
        raise QueryError("not_found", f"period: no score for {path} in {period.label}")
    offices = [score_json(row) for row in rows if is_office(row["unit"])]
    ranked_by, children = rank_children(offices)
    # Sections and affiliated units scored where the scheme says so: ranked among themselves, apart
    # from the offices below (a county is not a bureau's section).
    sections = rank_provisionally([score_json(row) for row in rows if not is_office(row["unit"])])
    score = score_json(own) if own is not None else None
    if score is not None and not score["frozen"] and parent_of(path) is not None:
        peers = await conn.fetch(
            f"{SCORE_SQL} WHERE s.parent = $1 AND s.period = $2", parent_of(path), period.label
        )
        alike = [score_json(peer) for peer in peers if is_office(peer["unit"]) == is_office(path)]
        ranked = rank_provisionally(alike)
        score["rank"] = next((peer["rank"] for peer in ranked if peer["unit"] == path), None)
    return {
        "path": path,
        "name": name,
        "level": level_of(path),
        "period": {"label": period.label, "cadence": period.cadence.value},
        "score": score,
        "children_ranked_by": ranked_by,
        "children": children,
        "sections": sections,
        "trend": await _trend(conn, path, period),
    }


BULLETIN_COLUMNS = (
    "b.unit, coalesce(u.name, b.unit) AS name, b.period, b.version, b.title, b.scheme_version,"
    " b.appeal_deadline, b.reissued_for, b.published_at"
)


async def bulletins(conn: Conn, params: UnitParams) -> dict[str, Any]:
    """Bulletins published by the unit or by a unit above it that ranks it, every version, newest first."""
    path = params.path
    await require_unit(conn, path)
    rows = await conn.fetch(
        f"SELECT {BULLETIN_COLUMNS} FROM {S}.assessment_bulletins b"
        f" LEFT JOIN {S}.units u ON u.path = b.unit"
        " WHERE b.unit = ANY($1::text[]) AND (b.unit = $2 OR EXISTS (SELECT 1"
        f" FROM {S}.assessment_bulletin_rows r WHERE r.bulletin_unit = b.unit AND r.period = b.period"
        " AND r.version = b.version AND r.unit = $2))"
        " ORDER BY b.seq DESC",
        ancestors_and_self(path),
        path,
    )
    return {
        "path": path,
        "bulletins": [jsonable(row) for row in rows],
    }


async def bulletin(conn: Conn, params: BulletinParams) -> dict[str, Any]:
    """One version (default the newest) of the bulletin ``path`` published for ``period``, with its rows."""
    path, period, wanted = params.path, period_param(params.period), params.version
    versions = await conn.fetch(
        f"SELECT {BULLETIN_COLUMNS} FROM {S}.assessment_bulletins b"
        f" LEFT JOIN {S}.units u ON u.path = b.unit"
        " WHERE b.unit = $1 AND b.period = $2 ORDER BY b.version",
        path,
        period.label,
    )
    if not versions:
        raise QueryError("not_found", f"period: {path} has published no bulletin for {period.label}")
    chosen = next((v for v in versions if v["version"] == wanted), None) if wanted else versions[-1]
    if chosen is None:
        raise QueryError(
            "not_found", f"version: the {period.label} bulletin of {path} has no version {wanted}"
        )
    rows = await conn.fetch(
        f"SELECT unit, name, parent, own, total, vetoed, rank, explanation FROM {S}.assessment_bulletin_rows"
        " WHERE bulletin_unit = $1 AND period = $2 AND version = $3 ORDER BY position",
        path,
        period.label,
        chosen["version"],
    )
    names = {row["unit"]: row["name"] for row in rows}
    return {
        **jsonable(chosen),
        "rows": [
            {**dict(row), "level": level_of(row["unit"]), "parent_name": names.get(row["parent"] or "")}
            for row in rows
        ],
        "versions": [
            {k: jsonable(v)[k] for k in ("version", "reissued_for", "published_at")} for v in versions
        ],
    }


async def scheme(conn: Conn, params: SchemeParams) -> dict[str, Any]:
    """The newest scheme adopted for ``year`` and every version adopted for it."""
    year = params.year
    rows = await conn.fetch(
        f"SELECT version, unit, scheme, reason, adopted_at FROM {S}.assessment_schemes"
        " WHERE year = $1 ORDER BY version DESC",
        year,
    )
    if not rows:
        raise QueryError("not_found", f"year: no scheme has been adopted for {year}")
    return {
        "year": year,
        "version": rows[0]["version"],
        "scheme": rows[0]["scheme"],
        "versions": [{k: v for k, v in jsonable(row).items() if k != "scheme"} for row in rows],
    }


APPEAL_SORTS = {
    "filed_at": "coalesce(a.filed_at, a.decided_at)",
    "decided_at": "a.decided_at",
    "unit": "a.unit",
    "period": "a.period",
    "state": "a.state",
}


async def appeals(conn: Conn, params: AppealsParams) -> dict[str, Any]:
    """Appeals filed by units in the subtree (only ``child``'s, ``state``'s, ``period``'s), newest first
    unless sorted otherwise, with their state (filed, upheld, rejected); a page of them with ``limit``."""
    path = params.path
    await require_unit(conn, path)
    where, args = within("a.unit"), [path]
    if params.child is not None:
        args.append(params.child)
        where += f" AND {within('a.unit', f'${len(args)}')}"
    if params.state is not None:
        args.append(params.state)
        where += f" AND a.state = ${len(args)}"
    if params.period is not None:  # a year holds its quarters (2026 → 2026-Q3)
        args.append(params.period)
        where += f" AND (a.period = ${len(args)} OR a.period LIKE ${len(args)} || '-%')"
    total = await conn.fetchval(f"SELECT count(*) FROM {S}.assessment_appeals a WHERE {where}", *args)
    page = f" LIMIT {params.limit}" if params.limit is not None else ""
    rows = await conn.fetch(
        "SELECT a.appeal_id, a.unit, coalesce(u.name, a.unit) AS name, a.period, a.bulletin_unit,"
        " a.bulletin_version, a.state, a.reason, a.points, a.decision, a.filed_at, a.decided_at"
        f" FROM {S}.assessment_appeals a LEFT JOIN {S}.units u ON u.path = a.unit WHERE {where}"
        f" {order_by(params.sort, APPEAL_SORTS, 'a.appeal_id')}{page} OFFSET {params.offset}",
        *args,
    )
    return {"path": path, "total": total, "appeals": [jsonable(row) for row in rows]}


QUERIES = [
    QuerySpec(CONTRACTS[f"assessment.{handler.__name__}"], PROJECTOR, handler)
    for handler in (unit, bulletins, bulletin, scheme, appeals)
]

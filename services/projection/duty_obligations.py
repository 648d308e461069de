"""What the duty view and the work summary both read of the bureau's recurring duties, on one local date:
each running outlet against its kind's inspection cadence, each office's half-yearly reports, and each
social organization's party coverage and inspections. The due rules are eventkit/dues.py's, the same the
duty service decides with."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from contracts.duty import UnitKind
from contracts.envelope import utc_now
from contracts.queries.base import AsOfParams
from services.eventkit.db import Conn
from services.eventkit.dues import (
    HalfYear,
    inspection_base,
    inspection_due_on,
    inspection_overdue,
    report_due,
)
from services.eventkit.localtime import SHANGHAI
from services.projection.duty_asof import valid
from services.projection.duty_queries import as_of, known_unit
from services.projection.params import jsonable, within
from services.projection.queries import SCHEMA

S = SCHEMA
OFFICES = [UnitKind.BUREAU.value, UnitKind.COUNTY_OFFICE.value, UnitKind.TOWNSHIP_OFFICE.value]
# A unit that existed on $2: from its effective date (none: before records began) until it was retired.
EXISTED = "(u.registered_on IS NULL OR u.registered_on <= $2) AND (u.retired_on IS NULL OR u.retired_on > $2)"


async def cadences(conn: Conn, path: str, day: date) -> dict[str, int]:
    """The city's cadence on ``day``: outlet kind → months."""
    rows = await conn.fetch(
        f"SELECT h.attribute AS kind, h.value FROM {S}.duty_history h"
        f" WHERE h.subject = 'cadence:' || split_part($1, '.', 1) AND {valid('h')}",
        path,
        day,
    )
    return {row["kind"]: int(row["value"]) for row in rows}


async def outlet_inspections(conn: Conn, path: str, day: date) -> list[dict[str, Any]]:
    """Outlets running on ``day`` in the subtree (registered by then, not closed), each with its kind's
    cadence then, its last inspection on or before ``day``, the day it is due by (dues.inspection_base)
    and whether overdue.
    An outlet of a kind without a cadence is never overdue (``months`` None)."""
    rows = await conn.fetch(
        f"SELECT o.outlet_id, o.name, o.kind, o.unit, u.name AS unit_name, o.registered_on,"
        f" c.value::int AS months, c.valid_from AS cadence_since, (SELECT max(i.inspected_on) FROM {S}.duty_inspections i"
        f" WHERE o.outlet_id = ANY(i.outlets_checked) AND i.inspected_on <= $2) AS last_inspected_on"
        f" FROM {S}.duty_outlets o JOIN {S}.units u ON u.path = o.unit"
        f" JOIN {S}.duty_history st ON st.subject = 'outlet:' || o.outlet_id AND st.attribute = 'status'"
        f" AND {valid('st')}"
        f" LEFT JOIN {S}.duty_history c ON c.subject = 'cadence:' || split_part(o.unit, '.', 1)"
        f" AND c.attribute = o.kind AND {valid('c')}"
        f" WHERE {within('o.unit')} AND o.registered_on <= $2 AND st.value <> 'closed'"
        " ORDER BY o.unit, o.kind, o.outlet_id",
        path,
        day,
    )
    found = []
    for row in rows:
        base = inspection_base(row["last_inspected_on"], row["registered_on"], row["cadence_since"])
        months = row["months"]
        due = inspection_due_on(base, months) if months and base else None
        overdue = months is not None and inspection_overdue(base, months, day)
        found.append(jsonable(row) | {"due_on": due and due.isoformat(), "overdue": overdue})
    return found


async def report_obligations(
    conn: Conn, path: str, halves: list[HalfYear], now: datetime
) -> list[dict[str, Any]]:
    """Every office of the subtree that existed at a half-year's end owes a report on it: made on time,
    made late, overdue (its deadline passed by ``now`` unmade) or not yet due."""
    found: list[dict[str, Any]] = []
    for half in halves:
        deadline = report_due(half)
        rows = await conn.fetch(
            f"SELECT u.path AS unit, u.name AS unit_name, r.reported_at, r.reported_to, r.late, r.overdue_at"
            f" FROM {S}.units u LEFT JOIN {S}.duty_half_year_reports r ON r.unit = u.path AND r.half_year = $3"
            f" WHERE {within('u.path')} AND u.kind = ANY($4::text[]) AND {EXISTED} ORDER BY u.path",
            path,
            half.last_day,
            half.label,
            OFFICES,
        )
        for row in rows:
            state = report_state(row["reported_at"], row["late"], deadline.due_at, now)
            found.append(
                jsonable(row)
                | {
                    "half_year": half.label,
                    "due_at": deadline.due_at.isoformat(),
                    "deadline_estimated": deadline.estimated,
                    "state": state,
                }
            )
    return found


def report_state(reported_at: datetime | None, late: bool | None, due_at: datetime, now: datetime) -> str:
    if reported_at is not None and reported_at <= now:
        return "late" if late else "on_time"
    return "overdue" if now > due_at else "pending"


async def organizations(conn: Conn, path: str, first: date, day: date) -> list[dict[str, Any]]:
    """Social organizations registered in the subtree on ``day``: their party coverage then (none when
    never recorded) and the inspections of them from ``first`` to ``day``."""
    rows = await conn.fetch(
        f"SELECT u.path AS unit, u.name, coalesce(h.value, 'none') AS coverage, h.valid_from AS coverage_since,"
        f" (SELECT count(*) FROM {S}.duty_organization_inspections i WHERE i.unit = u.path"
        " AND i.inspected_on BETWEEN $3 AND $2) AS inspections,"
        f" (SELECT max(i.inspected_on) FROM {S}.duty_organization_inspections i WHERE i.unit = u.path"
        " AND i.inspected_on <= $2) AS last_inspected_on"
        f" FROM {S}.units u LEFT JOIN {S}.duty_history h ON h.subject = 'unit:' || u.path"
        f" AND h.attribute = 'party_coverage' AND {valid('h')}"
        f" WHERE {within('u.path')} AND u.kind = $4 AND {EXISTED} ORDER BY u.path",
        path,
        day,
        first,
        UnitKind.SOCIAL_ORGANIZATION.value,
    )
    return [jsonable(row) for row in rows]


def end_of(day: date) -> datetime:
    """The last moment of a local day, or now if that is earlier (a day not over yet)."""
    return min(datetime.combine(day, time.max, tzinfo=SHANGHAI), utc_now())


async def duty_records(conn: Conn, params: AsOfParams) -> dict[str, Any]:
    """On ``as_of``: outlets against their cadence (overdue ones flagged), the offices' reports on the
    half-year then and the two before it, and the social organizations with their coverage."""
    day = as_of(params)
    await known_unit(conn, params.path)
    current = HalfYear.of(day)
    halves = [current.previous().previous(), current.previous(), current]
    outlets = await outlet_inspections(conn, params.path, day)
    reports = await report_obligations(conn, params.path, halves, end_of(day))
    found = await organizations(conn, params.path, date(day.year, 1, 1), day)
    return {
        "as_of": day.isoformat(),
        "cadences": await cadences(conn, params.path, day),
        "outlets": outlets,
        "reports": reports,
        "organizations": found,
        "counts": {
            "outlets_overdue": sum(o["overdue"] for o in outlets),
            "reports_overdue": sum(r["state"] == "overdue" for r in reports),
            "organizations": len(found),
            "organizations_covered": sum(o["coverage"] == "party_organization" for o in found),
        },
    }

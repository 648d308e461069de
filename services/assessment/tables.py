"""Every statement over assessment's own tables (schema ``assessment``): facts, targets, the units and
cases learned from other services, current scores, and the dirty marks that make the rescorer look
again. Every fact or target written marks the (unit, period) pairs whose score it may change, in the
same transaction, so a score can never miss a fact."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import asyncpg

from contracts.assessment import BulletinRow, Metric, UnitScore
from contracts.outreach import Cadence
from services.assessment.domain.facts import (
    AttrValue,
    Fact,
    Target,
    is_scored_unit,
    periods_touched,
    scored_unit_of,
    units_counting,
)
from services.eventkit.db import Conn
from services.eventkit.knownunits import KnownUnits
from services.eventkit.periods import Period, periods_in

SCHEMA = "assessment"
UNITS = KnownUnits(SCHEMA)  # the units learned from duty (the shared table and lookups)


async def mark_dirty(conn: Conn, unit: str, periods: Iterable[Period]) -> None:
    """The office ``unit`` counts for and every office above it, and the sections from its office down to
    ``unit`` (scored only where a scheme says so: the rescorer skips them otherwise), for each period."""
    rows = [
        (path, period.label, len(path.split("."))) for path in units_counting(unit) for period in set(periods)
    ]
    # Only ever inserted (the marks are a queue, see sql/002): a fact never waits for the rescorer, and a
    # mark committed while its score is being computed from an older snapshot stays to be scored again.
    await conn.execute(
        f"INSERT INTO {SCHEMA}.dirty (unit, period, depth)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::int[])",
        [row[0] for row in rows],
        [row[1] for row in rows],
        [row[2] for row in rows],
    )


def _row_to_fact(row: asyncpg.Record) -> Fact:
    return Fact(
        subject=row["subject"],
        metric=Metric(row["metric"]),
        unit=row["unit"],
        on_date=row["on_date"],
        until=row["until"],
        attrs=dict(row["attrs"]),
        events=tuple(row["events"]),
    )


async def get_fact(conn: Conn, subject: str) -> Fact | None:
    row = await conn.fetchrow(f"SELECT * FROM {SCHEMA}.facts WHERE subject = $1 FOR UPDATE", subject)
    return _row_to_fact(row) if row else None


async def put_fact(conn: Conn, fact: Fact) -> None:
    """Store the subject's fact as given (its events already include the new one), marking dirty the
    periods it left and the periods it now counts in."""
    before = await get_fact(conn, fact.subject)
    await conn.execute(
        f"INSERT INTO {SCHEMA}.facts (subject, metric, unit, scored_unit, on_date, until, attrs, events)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (subject) DO UPDATE SET metric = excluded.metric,"
        " unit = excluded.unit, scored_unit = excluded.scored_unit, on_date = excluded.on_date,"
        " until = excluded.until, attrs = excluded.attrs, events = excluded.events",
        fact.subject,
        fact.metric.value,
        fact.unit,
        scored_unit_of(fact.unit),
        fact.on_date,
        fact.until,
        dict(fact.attrs),
        list(fact.events),
    )
    for touched in filter(None, (before, fact)):
        await mark_dirty(conn, touched.unit, periods_touched(touched))


async def update_fact(
    conn: Conn, subject: str, event_id: str, attrs: Mapping[str, AttrValue] | None = None, **fields: Any
) -> Fact | None:
    """Change some attributes or fields of a known fact; None when the subject is unknown. (A redelivered
    event never gets here twice: the reaction consumer's inbox skips it.)"""
    fact = await get_fact(conn, subject)
    if fact is None:
        return None
    changed = Fact(
        subject=fact.subject,
        metric=fact.metric,
        unit=fields.get("unit", fact.unit),
        on_date=fields.get("on_date", fact.on_date),
        until=fields.get("until", fact.until),
        attrs={**fact.attrs, **(attrs or {})},
        events=(*fact.events, event_id),
    )
    await put_fact(conn, changed)
    return changed


async def remove_fact(conn: Conn, subject: str) -> None:
    fact = await get_fact(conn, subject)
    if fact is None:
        return
    await conn.execute(f"DELETE FROM {SCHEMA}.facts WHERE subject = $1", subject)
    await mark_dirty(conn, fact.unit, periods_touched(fact))


async def own_facts(conn: Conn, unit: str, until: date) -> list[Fact]:
    """The facts counting for the scored ``unit`` that began on or before ``until``, in subject order."""
    rows = await conn.fetch(
        f"SELECT * FROM {SCHEMA}.facts WHERE scored_unit = $1 AND on_date <= $2 ORDER BY subject", unit, until
    )
    return [_row_to_fact(row) for row in rows]


async def section_facts(conn: Conn, section: str, until: date) -> list[Fact]:
    """The facts of a section (a department, an affiliated unit) and the units inside it that began on
    or before ``until``, in subject order: what it is scored on where a scheme scores its kind."""
    rows = await conn.fetch(
        f"SELECT * FROM {SCHEMA}.facts WHERE (unit = $1 OR (unit > $1 || '.' AND unit < $1 || '/'))"
        " AND on_date <= $2 ORDER BY subject",
        section,
        until,
    )
    return [_row_to_fact(row) for row in rows]


async def set_target(conn: Conn, unit: str, year: int, target: Target) -> None:
    await conn.execute(
        f"INSERT INTO {SCHEMA}.targets (unit, year, kind, cadence, count) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (unit, year, kind, cadence) DO UPDATE SET count = excluded.count",
        unit,
        year,
        target.kind,
        target.cadence.value,
        target.count,
    )
    await mark_dirty(conn, unit, [p for c in Cadence for p in periods_in(year, c)])


async def targets_of(conn: Conn, unit: str, year: int) -> dict[tuple[str, Cadence], int]:
    rows = await conn.fetch(
        f"SELECT kind, cadence, count FROM {SCHEMA}.targets WHERE unit = $1 AND year = $2 AND count > 0",
        unit,
        year,
    )
    return {(row["kind"], Cadence(row["cadence"])): row["count"] for row in rows}


async def scored_children(conn: Conn, unit: str, on: date) -> list[str]:
    """The scored units directly below ``unit`` that were not retired before ``on``."""
    return [path for path in await UNITS.children_not_retired_on(conn, unit, on) if is_scored_unit(path)]


async def scored_units(conn: Conn, section_kinds: Iterable[str] = ()) -> list[str]:
    """The offices, and the sections of ``section_kinds`` (duty's unit kinds)."""
    kinds = list(section_kinds)
    rows = await conn.fetch(f"SELECT path, kind FROM {UNITS.table} ORDER BY path")
    return [row["path"] for row in rows if is_scored_unit(row["path"]) or row["kind"] in kinds]


# --- cases seen from opinion, before they are graded --------------------------------------------------


async def see_case(conn: Conn, case_id: str, unit: str, captured_on: date, drill: bool) -> None:
    await conn.execute(
        f"INSERT INTO {SCHEMA}.cases_seen (case_id, unit, captured_on, drill) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (case_id) DO NOTHING",
        case_id,
        unit,
        captured_on,
        drill,
    )


async def seen_case(conn: Conn, case_id: str) -> asyncpg.Record | None:
    """The case's unit and capture date, if it was reported."""
    found: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT unit, captured_on FROM {SCHEMA}.cases_seen WHERE case_id = $1", case_id
    )
    return found


async def open_gap(conn: Conn, outlet_id: str) -> str | None:
    """The subject of the outlet's coverage gap still open, the latest if several."""
    found: str | None = await conn.fetchval(
        f"SELECT subject FROM {SCHEMA}.facts WHERE metric = 'coverage_gap' AND attrs->>'outlet_id' = $1"
        " AND until IS NULL ORDER BY on_date DESC LIMIT 1",
        outlet_id,
    )
    return found


# --- current scores -----------------------------------------------------------------------------------


async def frozen_by(conn: Conn, unit: str, period: str) -> str | None:
    """The bulletin stream that froze the score, if one did."""
    found: str | None = await conn.fetchval(
        f"SELECT frozen_by FROM {SCHEMA}.scores WHERE unit = $1 AND period = $2", unit, period
    )
    return found


async def current_score(conn: Conn, unit: str, period: str) -> asyncpg.Record | None:
    """The score's total and veto as stored, if it has one."""
    found: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT total, vetoed FROM {SCHEMA}.scores WHERE unit = $1 AND period = $2", unit, period
    )
    return found


async def save_score(conn: Conn, unit: str, period: str, score: UnitScore, digest: str) -> None:
    await conn.execute(
        f"INSERT INTO {SCHEMA}.scores (unit, period, own, total, vetoed, digest) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (unit, period) DO UPDATE SET own = excluded.own, total = excluded.total,"
        " vetoed = excluded.vetoed, digest = excluded.digest",
        unit,
        period,
        score.own,
        score.total,
        score.vetoed,
        digest,
    )


async def freeze_scores(conn: Conn, units: Sequence[str], period: str, bulletin: str) -> None:
    await conn.execute(
        f"UPDATE {SCHEMA}.scores SET frozen_by = $3 WHERE unit = ANY($1) AND period = $2 AND frozen_by IS NULL",
        list(units),
        period,
        bulletin,
    )


async def reissued_scores(conn: Conn, period: str, rows: Sequence[BulletinRow]) -> None:
    """A re-issued bulletin's totals become the frozen scores they replace."""
    await conn.executemany(
        f"UPDATE {SCHEMA}.scores SET own = $3, total = $4 WHERE unit = $1 AND period = $2",
        [(row.unit, period, row.own, row.total) for row in rows],
    )


# --- the dirty marks' queue (sql/002) -----------------------------------------------------------------


async def mark_again(conn: Conn, marks: Sequence[tuple[str, str, int]]) -> None:
    """Put (unit, period, depth) marks back, to be taken again."""
    await conn.executemany(f"INSERT INTO {SCHEMA}.dirty (unit, period, depth) VALUES ($1, $2, $3)", marks)


async def marked_pairs(conn: Conn) -> int:
    """Pairs waiting to be scored (a pair marked by many facts is scored once)."""
    found: int = await conn.fetchval(
        f"SELECT count(*) FROM (SELECT DISTINCT unit, period FROM {SCHEMA}.dirty) AS pairs"
    )
    return found


async def take_marks(conn: Conn, batch: int, resting: list[str]) -> list[asyncpg.Record]:
    """Up to ``batch`` marks' pairs, deepest first, with every mark of those pairs removed; a pair another
    rescorer holds a mark of is left to it."""
    taken = await conn.fetch(
        f"SELECT unit, period, depth FROM {SCHEMA}.dirty WHERE unit || '@' || period <> ALL($2::text[])"
        " ORDER BY depth DESC, id LIMIT $1 FOR UPDATE SKIP LOCKED",
        batch,
        resting,
    )
    pairs = sorted(
        {(m["unit"], m["period"]): m for m in taken}.values(),
        key=lambda m: (-m["depth"], m["unit"], m["period"]),
    )
    if pairs:
        await conn.execute(
            f"DELETE FROM {SCHEMA}.dirty WHERE id IN (SELECT d.id FROM {SCHEMA}.dirty d"
            " JOIN unnest($1::text[], $2::text[]) AS p (unit, period) ON d.unit = p.unit AND d.period = p.period"
            " FOR UPDATE OF d SKIP LOCKED)",
            [m["unit"] for m in pairs],
            [m["period"] for m in pairs],
        )
    return pairs

"""The assessment view: each unit's score per period, bulletins and their rows, scheme versions, appeals
and unit names. Queries are in assessment_queries.py.

A score row holds the latest ScoreComputed of its (unit, period) until a bulletin ranks that unit for
that period: from then on it holds the row of the newest bulletin that did, and no later ScoreComputed
changes it (the bulletin froze it). A batch is folded in memory and written in one statement per table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.assessment import (
    AppealDecided,
    AppealFiled,
    BulletinPublished,
    BulletinRow,
    SchemeAdopted,
    ScoreComputed,
)
from contracts.duty import UnitRegistered, UnitRenamed, UnitRetired
from contracts.registry import DomainEvent, UnknownEventType
from contracts.units import parent_of
from services.eventkit.db import Conn
from services.eventkit.periods import parse_period
from services.eventkit.projector import Delivered, Projector
from services.eventkit.runtime import QueryHandler
from services.projection.assessment_queries import QUERIES as ASSESSMENT_QUERIES

log = logging.getLogger(__name__)
UNIT_TYPES = frozenset({UnitRegistered.event_type, UnitRenamed.event_type, UnitRetired.event_type})
ASSESSMENT_TYPES = frozenset(
    model.event_type
    for model in (SchemeAdopted, ScoreComputed, BulletinPublished, AppealFiled, AppealDecided)
)
SCORE_COLUMNS = (
    "unit",
    "period",
    "parent",
    "year",
    "cadence",
    "own",
    "total",
    "vetoed",
    "explanation",
    "frozen",
    "bulletin_unit",
    "bulletin_version",
    "rank",
    "seq",
    "updated_at",
)
Key = tuple[str, str]


@dataclass
class Fold:
    scores: dict[Key, dict[str, Any]] = field(default_factory=dict)
    bulletins: list[tuple[Any, ...]] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    schemes: list[tuple[Any, ...]] = field(default_factory=list)
    filed: list[tuple[Any, ...]] = field(default_factory=list)
    decided: list[tuple[Any, ...]] = field(default_factory=list)
    units: list[tuple[Any, ...]] = field(default_factory=list)
    renames: list[tuple[Any, ...]] = field(default_factory=list)
    retirements: list[tuple[Any, ...]] = field(default_factory=list)


def score_row(
    score: ScoreComputed | BulletinRow,
    period: str,
    seq: int,
    at: datetime,
    frozen_by: BulletinPublished | None = None,
) -> dict[str, Any] | None:
    """A score row from a ScoreComputed, or from a row of the bulletin ``frozen_by``; None for a period
    that does not parse (logged: one bad event must not stall the view)."""
    unit = score.unit
    try:
        parsed = parse_period(period)
    except ValueError:
        log.warning("skipped a score with an unreadable period", extra={"unit": unit, "period": period})
        return None
    return {
        "unit": unit,
        "period": parsed.label,
        "parent": parent_of(unit),
        "year": parsed.year,
        "cadence": parsed.cadence.value,
        "own": score.own,
        "total": score.total,
        "vetoed": score.vetoed,
        "explanation": score.explanation.model_dump(mode="json"),
        "frozen": frozen_by is not None,
        "bulletin_unit": frozen_by.unit if frozen_by else None,
        "bulletin_version": frozen_by.bulletin_version if frozen_by else None,
        "rank": score.rank if isinstance(score, BulletinRow) else None,
        "seq": seq,
        "updated_at": at,
    }


def fold_event(fold: Fold, delivered: Delivered, event: DomainEvent) -> None:
    seq, at = delivered.seq, delivered.envelope.time
    if isinstance(event, ScoreComputed):
        row = score_row(event, event.period, seq, at)
        if row is not None and not fold.scores.get((row["unit"], row["period"]), {}).get("frozen"):
            fold.scores[(row["unit"], row["period"])] = row
    elif isinstance(event, BulletinPublished):
        fold.bulletins.append(
            (
                event.unit,
                event.period,
                event.bulletin_version,
                event.title,
                event.scheme_version,
                event.appeal_deadline,
                event.reissued_for,
                at,
                seq,
            )
        )
        for position, item in enumerate(event.rows, start=1):
            explanation = item.explanation.model_dump(mode="json")
            bulletin = (event.unit, event.period, event.bulletin_version, position)
            scores = (item.parent, item.own, item.total, item.vetoed, item.rank, explanation)
            fold.rows.append((*bulletin, item.unit, item.name, *scores))
            frozen = score_row(item, event.period, seq, at, frozen_by=event)
            if frozen is not None:
                fold.scores[(frozen["unit"], frozen["period"])] = frozen
    elif isinstance(event, SchemeAdopted):
        scheme = event.scheme.model_dump(mode="json")
        fold.schemes.append((event.year, event.scheme_version, event.unit, scheme, event.reason, at))
    elif isinstance(event, AppealFiled):
        against = (event.bulletin_unit, event.bulletin_version)
        fold.filed.append((event.appeal_id, event.unit, event.period, *against, event.reason, at))
    elif isinstance(event, AppealDecided):
        state = "upheld" if event.upheld else "rejected"
        decision = (state, event.points, event.reason, at)
        fold.decided.append((event.appeal_id, event.unit, event.period, event.bulletin_unit, *decision))
    elif isinstance(event, UnitRegistered):
        fold.units.append((event.path, event.parent, event.name, event.kind.value))
    elif isinstance(event, UnitRenamed):
        fold.renames.append((event.path, event.name))
    elif isinstance(event, UnitRetired):
        fold.retirements.append((event.path, event.effective_on))


def _upsert_scores(schema: str, only_unfrozen: bool) -> str:
    columns = ", ".join(SCORE_COLUMNS)
    values = ", ".join(f"${n}" for n in range(1, len(SCORE_COLUMNS) + 1))
    updates = ", ".join(f"{c} = excluded.{c}" for c in SCORE_COLUMNS[2:])
    guard = " WHERE NOT s.frozen" if only_unfrozen else ""  # a bulletin froze it: computed scores stop here
    return (
        f"INSERT INTO {schema}.assessment_scores AS s ({columns}) VALUES ({values})"
        f" ON CONFLICT (unit, period) DO UPDATE SET {updates}{guard}"
    )


async def write(conn: Conn, schema: str, fold: Fold) -> None:
    s = schema
    statements: list[tuple[str, list[tuple[Any, ...]]]] = [
        (
            f"INSERT INTO {s}.assessment_units (path, parent, name, kind) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (path) DO UPDATE SET name = excluded.name, kind = excluded.kind, retired_on = NULL",
            fold.units,
        ),
        (f"UPDATE {s}.assessment_units SET name = $2 WHERE path = $1", fold.renames),
        (f"UPDATE {s}.assessment_units SET retired_on = $2 WHERE path = $1", fold.retirements),
        (
            f"INSERT INTO {s}.assessment_schemes (year, version, unit, scheme, reason, adopted_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            fold.schemes,
        ),
        (
            f"INSERT INTO {s}.assessment_bulletins (unit, period, version, title, scheme_version,"
            " appeal_deadline, reissued_for, published_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT DO NOTHING",
            fold.bulletins,
        ),
        (
            f"INSERT INTO {s}.assessment_bulletin_rows (bulletin_unit, period, version, position, unit, name,"
            " parent, own, total, vetoed, rank, explanation)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
            fold.rows,
        ),
        # Every appeal is filed before it is decided, so all filings of a batch can go first.
        (
            f"INSERT INTO {s}.assessment_appeals (appeal_id, unit, period, bulletin_unit, bulletin_version,"
            " state, reason, filed_at) VALUES ($1, $2, $3, $4, $5, 'filed', $6, $7) ON CONFLICT DO NOTHING",
            fold.filed,
        ),
        (
            f"INSERT INTO {s}.assessment_appeals (appeal_id, unit, period, bulletin_unit, state, points,"
            " reason, decision, decided_at) VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8)"
            " ON CONFLICT (appeal_id) DO UPDATE SET state = excluded.state, points = excluded.points,"
            " decision = excluded.decision, decided_at = excluded.decided_at",
            fold.decided,
        ),
    ]
    for sql, rows in statements:
        if rows:
            await conn.executemany(sql, rows)
    for frozen in (True, False):
        rows = [
            tuple(row[c] for c in SCORE_COLUMNS)
            for key, row in sorted(fold.scores.items())
            if row["frozen"] is frozen
        ]
        if rows:
            await conn.executemany(_upsert_scores(s, only_unfrozen=not frozen), rows)


class AssessmentProjector:
    name = "assessment"
    event_types = ASSESSMENT_TYPES | UNIT_TYPES

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        fold = Fold()
        for delivered in batch:
            if delivered.envelope.type not in self.event_types:
                continue  # other contexts' events: not part of this view
            try:
                event = delivered.event
            except UnknownEventType:
                continue
            fold_event(fold, delivered, event)
        await write(conn, schema, fold)


PROJECTORS: list[Projector] = [AssessmentProjector()]
QUERIES: dict[str, QueryHandler] = dict(ASSESSMENT_QUERIES)

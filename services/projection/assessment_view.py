"""The assessment view: each unit's score per period, bulletins and their rows, scheme versions, appeals
(unit names come from the one unit table of readmodels.py). Queries are in assessment_queries.py.

A score row holds the latest ScoreComputed of its (unit, period) until a bulletin ranks that unit for
that period: from then on it holds the row of the newest bulletin that did, and no later ScoreComputed
changes it (the bulletin froze it).
"""

from __future__ import annotations

import logging
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
from contracts.units import parent_of
from services.eventkit.periods import parse_period
from services.eventkit.projector import Delivered, Projector
from services.eventkit.queries import QuerySpec
from services.eventkit.readmodel import Batch, ReadModel, Rows, on, replacing
from services.projection.assessment_queries import QUERIES as ASSESSMENT_QUERIES

log = logging.getLogger(__name__)
SCORE_COLUMNS = (
    ("unit", "text"),
    ("period", "text"),
    ("parent", "text"),
    ("year", "int"),
    ("cadence", "text"),
    ("own", "float8"),
    ("total", "float8"),
    ("vetoed", "bool"),
    ("explanation", "jsonb"),
    ("frozen", "bool"),
    ("bulletin_unit", "text"),
    ("bulletin_version", "int"),
    ("rank", "int"),
    ("seq", "bigint"),
    ("updated_at", "timestamptz"),
)
SCORES = Rows(
    "assessment_scores",
    SCORE_COLUMNS,
    # A bulletin froze it: computed scores stop here, a later bulletin's row still replaces it.
    on_conflict=replacing(
        ("unit", "period"), (c for c, _ in SCORE_COLUMNS), where="excluded.frozen OR NOT t.frozen"
    ),
    key=("unit", "period"),
)
SCHEMES = Rows(
    "assessment_schemes",
    (
        ("year", "int"),
        ("version", "int"),
        ("unit", "text"),
        ("scheme", "jsonb"),
        ("reason", "text"),
        ("adopted_at", "timestamptz"),
    ),
)
BULLETINS = Rows(
    "assessment_bulletins",
    (
        ("unit", "text"),
        ("period", "text"),
        ("version", "int"),
        ("title", "text"),
        ("scheme_version", "int"),
        ("appeal_deadline", "date"),
        ("reissued_for", "text"),
        ("published_at", "timestamptz"),
        ("seq", "bigint"),
    ),
)
BULLETIN_ROWS = Rows(
    "assessment_bulletin_rows",
    (
        ("bulletin_unit", "text"),
        ("period", "text"),
        ("version", "int"),
        ("position", "int"),
        ("unit", "text"),
        ("name", "text"),
        ("parent", "text"),
        ("own", "float8"),
        ("total", "float8"),
        ("vetoed", "bool"),
        ("rank", "int"),
        ("explanation", "jsonb"),
    ),
)
APPEALS_FILED = Rows(
    "assessment_appeals",
    (
        ("appeal_id", "text"),
        ("unit", "text"),
        ("period", "text"),
        ("bulletin_unit", "text"),
        ("bulletin_version", "int"),
        ("state", "text"),
        ("reason", "text"),
        ("filed_at", "timestamptz"),
    ),
)
# Keyed, so written after the batch's filings: every appeal is filed before it is decided.
APPEALS_DECIDED = Rows(
    "assessment_appeals",
    (
        ("appeal_id", "text"),
        ("unit", "text"),
        ("period", "text"),
        ("bulletin_unit", "text"),
        ("state", "text"),
        ("points", "float8"),
        ("reason", "text"),
        ("decision", "text"),
        ("decided_at", "timestamptz"),
    ),
    on_conflict="(appeal_id) DO UPDATE SET state = excluded.state, points = excluded.points,"
    " decision = excluded.decision, decided_at = excluded.decided_at",
    key=("appeal_id",),
)


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


class AssessmentProjector(ReadModel):
    name = "assessment"

    @on(ScoreComputed)
    def computed(self, batch: Batch, event: ScoreComputed, delivered: Delivered) -> None:
        row = score_row(event, event.period, delivered.seq, delivered.envelope.time)
        if row is None:
            return
        held = batch.get(SCORES, row["unit"], row["period"])
        if not (held and held["frozen"]):
            batch.put(SCORES, row)

    @on(BulletinPublished)
    def published(self, batch: Batch, event: BulletinPublished, delivered: Delivered) -> None:
        seq, at = delivered.seq, delivered.envelope.time
        bulletin = (event.unit, event.period, event.bulletin_version)
        batch.row(
            BULLETINS,
            *bulletin,
            event.title,
            event.scheme_version,
            event.appeal_deadline,
            event.reissued_for,
            at,
            seq,
        )
        for position, item in enumerate(event.rows, start=1):
            explanation = item.explanation.model_dump(mode="json")
            scores = (item.parent, item.own, item.total, item.vetoed, item.rank, explanation)
            batch.row(BULLETIN_ROWS, *bulletin, position, item.unit, item.name, *scores)
            frozen = score_row(item, event.period, seq, at, frozen_by=event)
            if frozen is not None:
                batch.put(SCORES, frozen)

    @on(SchemeAdopted)
    def adopted(self, batch: Batch, event: SchemeAdopted, delivered: Delivered) -> None:
        scheme = event.scheme.model_dump(mode="json")
        at = delivered.envelope.time
        batch.row(SCHEMES, event.year, event.scheme_version, event.unit, scheme, event.reason, at)

    @on(AppealFiled)
    def filed(self, batch: Batch, event: AppealFiled, delivered: Delivered) -> None:
        against = (event.bulletin_unit, event.bulletin_version)
        at = delivered.envelope.time
        batch.row(
            APPEALS_FILED, event.appeal_id, event.unit, event.period, *against, "filed", event.reason, at
        )

    @on(AppealDecided)
    def decided(self, batch: Batch, event: AppealDecided, delivered: Delivered) -> None:
        state = "upheld" if event.upheld else "rejected"
        values = (
            event.appeal_id,
            event.unit,
            event.period,
            event.bulletin_unit,
            state,
            event.points,
            "",
            event.reason,
            delivered.envelope.time,
        )
        batch.put(APPEALS_DECIDED, dict(zip(APPEALS_DECIDED.names, values, strict=True)))


PROJECTORS: list[Projector] = [AssessmentProjector()]
QUERIES: list[QuerySpec] = ASSESSMENT_QUERIES

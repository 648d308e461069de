"""The outreach view: activities with their history, counts per unit, kind and local month (own and
rolled up), targets, outlets and publications. Queries are in outreach_queries.py.

Corrections and voids carry the facts before and after, so counts are adjusted from the event alone;
a batch is folded in memory (counts summed, consecutive statements of one kind sent together)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from contracts.duty import OutletRegistered, OutletRelocated, OutletStatusChanged
from contracts.envelope import EventEnvelope
from contracts.outreach import (
    FACT_FIELDS,
    ActivityCorrected,
    ActivityFacts,
    ActivityLogged,
    ActivityVoided,
    PublicationPublished,
    PublicationReviewed,
    PublicationRevised,
    PublicationStatus,
    PublicationSubmitted,
    PublicationViewsRecorded,
    TargetSet,
    status_after_review,
)
from contracts.registry import REGISTRY, DomainEvent, UnknownEventType
from contracts.units import ancestors_and_self
from services.eventkit.db import Conn
from services.eventkit.projector import Delivered, Projector
from services.eventkit.runtime import QueryHandler
from services.projection.outreach_queries import QUERIES as OUTREACH_QUERIES

OUTLET_TYPES = frozenset(
    {OutletRegistered.event_type, OutletStatusChanged.event_type, OutletRelocated.event_type}
)
MonthKey = tuple[str, date, str]  # (path, first day of the local month, kind)
WRITTEN_TABLE = re.compile(r"^(?:INSERT INTO|UPDATE) [a-z_]+\.([a-z_]+)")


def table_of(sql: str) -> str:
    """The one table a view statement writes."""
    found = WRITTEN_TABLE.match(sql)
    if found is None:
        raise ValueError(f"not a single-table INSERT or UPDATE: {sql[:60]}")
    return found[1]


@dataclass
class Counts:
    own_activities: int = 0
    own_audience: int = 0
    subtree_activities: int = 0
    subtree_audience: int = 0


@dataclass
class Fold:
    """One batch's changes: statements in event order, count deltas summed per (unit, month, kind)."""

    schema: str
    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    months: dict[MonthKey, Counts] = field(default_factory=lambda: defaultdict(Counts))
    row_statements: set[str] = field(default_factory=set)

    def run(self, sql: str, *args: Any) -> None:
        self.statements.append((sql.replace("{s}", self.schema), args))

    def add_row(self, sql: str, *row: Any) -> None:
        """One row for an ``INSERT ... SELECT ... FROM unnest($1::t[], ...)`` statement: a run of rows
        for it is sent as one statement with a column array per parameter, not one execute per row."""
        sql = sql.replace("{s}", self.schema)
        self.row_statements.add(sql)
        self.statements.append((sql, row))

    def count(self, unit: str, kind: str, held_on: date, audience: int, sign: int) -> None:
        month = held_on.replace(day=1)
        own = self.months[(unit, month, kind)]
        own.own_activities += sign
        own.own_audience += sign * audience
        for path in ancestors_and_self(unit):
            rolled = self.months[(path, month, kind)]
            rolled.subtree_activities += sign
            rolled.subtree_audience += sign * audience

    def count_facts(self, unit: str, facts: ActivityFacts, sign: int) -> None:
        self.count(unit, facts.kind.value, facts.held_on, facts.audience, sign)

    async def write(self, conn: Conn) -> None:
        # Each statement writes one table and reads no other, so statements on different tables commute:
        # grouped by table (in event order within it), a batch's history rows and activity rows go in one
        # executemany each instead of alternating one round trip per row.
        by_table = sorted(range(len(self.statements)), key=lambda i: (table_of(self.statements[i][0]), i))
        ordered = [self.statements[i] for i in by_table]
        run: list[tuple[Any, ...]] = []
        for index, (sql, args) in enumerate(ordered):
            run.append(args)
            following = ordered[index + 1][0] if index + 1 < len(ordered) else None
            if following != sql:  # the end of a run of the same statement: send it in one go
                if sql in self.row_statements:
                    await conn.execute(sql, *(list(column) for column in zip(*run, strict=True)))
                else:
                    await conn.executemany(sql, run)
                run = []
        if self.months:
            keys = sorted(self.months)  # a fixed order keeps concurrent upserts from deadlocking
            rows = [self.months[key] for key in keys]
            await conn.execute(
                f"INSERT INTO {self.schema}.outreach_monthly AS m (path, month, kind, own_activities,"
                " own_audience, subtree_activities, subtree_audience)"
                " SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[], $5::bigint[],"
                " $6::bigint[], $7::bigint[])"
                " ON CONFLICT (path, month, kind) DO UPDATE SET"
                " own_activities = m.own_activities + excluded.own_activities,"
                " own_audience = m.own_audience + excluded.own_audience,"
                " subtree_activities = m.subtree_activities + excluded.subtree_activities,"
                " subtree_audience = m.subtree_audience + excluded.subtree_audience",
                [k[0] for k in keys],
                [k[1] for k in keys],
                [k[2] for k in keys],
                [r.own_activities for r in rows],
                [r.own_audience for r in rows],
                [r.subtree_activities for r in rows],
                [r.subtree_audience for r in rows],
            )


# ``include`` takes a set; the facts are the ActivityFacts fields, which ActivityLogged also has.
FACT_FIELD_SET = set(FACT_FIELDS)


def fold_activity(fold: Fold, delivered: Delivered) -> None:
    envelope, event = delivered.envelope, delivered.event
    if isinstance(event, ActivityLogged):
        # The facts are read off the event and serialized by pydantic, not rebuilt as an ActivityFacts
        # model: the most frequent event of all, and a model round trip each was a third of its fold.
        fold.count(event.unit, event.kind.value, event.held_on, event.audience, 1)
        fold.add_row(
            "INSERT INTO {s}.outreach_activities (activity_id, unit, kind, topic, held_on, audience, facts,"
            " source, external_id, logged_at, updated_at)"
            " SELECT a, u, k, t, h, n, f::jsonb, s, x, at, at FROM unnest($1::text[], $2::text[], $3::text[],"
            " $4::text[], $5::date[], $6::int[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])"
            " AS r(a, u, k, t, h, n, f, s, x, at)"
            " ON CONFLICT (activity_id) DO NOTHING",
            event.activity_id,
            event.unit,
            event.kind.value,
            event.topic,
            event.held_on,
            event.audience,
            event.model_dump_json(include=FACT_FIELD_SET),
            event.source,
            event.external_id,
            envelope.time,
        )
    elif isinstance(event, ActivityCorrected):
        fold.count_facts(event.unit, event.before, -1)
        fold.count_facts(event.unit, event.after, 1)
        after = event.after
        fold.run(
            "UPDATE {s}.outreach_activities SET kind = $2, topic = $3, held_on = $4, audience = $5, facts = $6,"
            " corrections = corrections + 1, updated_at = $7 WHERE activity_id = $1",
            event.activity_id,
            after.kind.value,
            after.topic,
            after.held_on,
            after.audience,
            after.model_dump(mode="json"),
            envelope.time,
        )
    elif isinstance(event, ActivityVoided):
        fold.count_facts(event.unit, event.facts, -1)
        fold.run(
            "UPDATE {s}.outreach_activities SET voided = true, updated_at = $2 WHERE activity_id = $1",
            event.activity_id,
            envelope.time,
        )


def fold_plan_and_outlets(fold: Fold, envelope: EventEnvelope, event: DomainEvent) -> None:
    if isinstance(event, TargetSet):
        fold.run(
            "INSERT INTO {s}.outreach_targets (unit, year, kind, cadence, count, audience, scope, revision,"
            " reason, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (unit, year, kind, cadence) DO UPDATE SET count = excluded.count,"
            " audience = excluded.audience, scope = excluded.scope, revision = excluded.revision,"
            " reason = excluded.reason, set_at = excluded.set_at",
            event.unit,
            event.year,
            event.kind.value,
            event.cadence.value,
            event.count,
            event.audience,
            event.scope.value,
            event.revision,
            event.reason,
            envelope.time,
        )
    elif isinstance(event, OutletRegistered):
        fold.run(
            "INSERT INTO {s}.outreach_outlets (outlet_id, unit, kind, name, status, updated_at)"
            " VALUES ($1, $2, $3, $4, 'active', $5) ON CONFLICT (outlet_id) DO UPDATE SET unit = excluded.unit,"
            " kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at",
            event.outlet_id,
            event.unit,
            event.kind.value,
            event.name,
            envelope.time,
        )
    elif isinstance(event, OutletRelocated):
        fold.run(
            "UPDATE {s}.outreach_outlets SET unit = $2, updated_at = $3 WHERE outlet_id = $1",
            event.outlet_id,
            event.to_unit,
            envelope.time,
        )
    elif isinstance(event, OutletStatusChanged):
        fold.run(
            "UPDATE {s}.outreach_outlets SET status = $2, updated_at = $3 WHERE outlet_id = $1",
            event.outlet_id,
            event.status.value,
            envelope.time,
        )


def fold_publication(fold: Fold, envelope: EventEnvelope, event: DomainEvent) -> None:
    update = "UPDATE {s}.outreach_publications SET updated_at = $2, "
    if isinstance(event, PublicationSubmitted):
        fold.run(
            "INSERT INTO {s}.outreach_publications (publication_id, unit, kind, title, outlet_id, status,"
            " submitted_by, submitted_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
            " ON CONFLICT (publication_id) DO NOTHING",
            event.publication_id,
            event.unit,
            event.kind.value,
            event.title,
            event.outlet_id,
            PublicationStatus.AWAITING_FIRST.value,
            event.submitted_by,
            envelope.time,
        )
    elif isinstance(event, PublicationReviewed):
        review = {"reviewer": event.reviewer, "decision": event.decision.value, "comments": event.comments}
        fold.run(
            update + "status = $3, reviews = reviews || jsonb_build_object($4::text, $5::jsonb)"
            " WHERE publication_id = $1",
            event.publication_id,
            envelope.time,
            status_after_review(event.stage, event.decision).value,
            event.stage.value,
            review,
        )
    elif isinstance(event, PublicationRevised):
        fold.run(
            update + "status = $3, round = $4, title = $5, outlet_id = $6, reviews = '{}'"
            " WHERE publication_id = $1",
            event.publication_id,
            envelope.time,
            PublicationStatus.AWAITING_FIRST.value,
            event.round,
            event.title,
            event.outlet_id,
        )
    elif isinstance(event, PublicationPublished):
        fold.run(
            update + "status = $3, published_on = $4, url = $5, outlet_id = $6 WHERE publication_id = $1",
            event.publication_id,
            envelope.time,
            PublicationStatus.PUBLISHED.value,
            event.published_on,
            event.url,
            event.outlet_id,
        )
    elif isinstance(event, PublicationViewsRecorded):
        fold.run(
            update + "views = $3 WHERE publication_id = $1", event.publication_id, envelope.time, event.views
        )


class OutreachProjector:
    name = "outreach"
    event_types = (
        frozenset(m.event_type for m in REGISTRY.models() if m.event_type.startswith("outreach."))
        | OUTLET_TYPES
    )

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        fold = Fold(schema)
        for delivered in batch:
            envelope = delivered.envelope
            ours = envelope.type.startswith("outreach.")
            if not ours and envelope.type not in OUTLET_TYPES:
                continue  # other contexts' events: not part of this view
            try:
                event = delivered.event
            except UnknownEventType:
                continue
            if ours:
                fold.add_row(
                    "INSERT INTO {s}.outreach_history (stream, seq, event_type, at, actor, data)"
                    " SELECT st, sq, ty, at, ac, d::jsonb FROM unnest($1::text[], $2::bigint[], $3::text[],"
                    " $4::timestamptz[], $5::text[], $6::text[]) AS r(st, sq, ty, at, ac, d)"
                    " ON CONFLICT DO NOTHING",
                    envelope.subject,
                    delivered.seq,
                    envelope.type,
                    envelope.time,
                    envelope.actor,
                    delivered.event_json,
                )
            fold_activity(fold, delivered)
            fold_plan_and_outlets(fold, envelope, event)
            fold_publication(fold, envelope, event)
        await fold.write(conn)


PROJECTORS: list[Projector] = [OutreachProjector()]
QUERIES: dict[str, QueryHandler] = dict(OUTREACH_QUERIES)

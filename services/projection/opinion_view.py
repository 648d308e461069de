"""The opinion view: one row per case with its place in the loop and its timestamps, each case's
timeline, nil reports, response plans, and units as monitoring posts. Queries are in opinion_queries.py.

A batch is folded in memory: the cases it touches are read once, every event applied to them in order,
then written back in one statement per table. Statistics are computed at query time over these rows
(periods are arbitrary and medians do not roll up); drills are kept here, flagged, and left out there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.duty import UnitRegistered, UnitRenamed, UnitRetired
from contracts.envelope import EventEnvelope
from contracts.opinion import (
    ActionRecorded,
    CaseEvent,
    DeadlineKind,
    Due,
    ExtensionDecided,
    FeedbackGiven,
    NilReportFiled,
    OpinionAcknowledged,
    OpinionAssigned,
    OpinionClosed,
    OpinionEscalated,
    OpinionGraded,
    OpinionOverdue,
    OpinionReopened,
    OpinionReported,
    OpinionReturned,
    ResponsePlanAdopted,
    SupervisionStarted,
    deadlines_json,
)
from contracts.registry import REGISTRY, DomainEvent, UnknownEventType
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date
from services.eventkit.projector import Delivered, Projector
from services.eventkit.runtime import QueryHandler
from services.projection.opinion_nil_reports import QUERIES as NIL_REPORT_QUERIES
from services.projection.opinion_queries import QUERIES as OPINION_QUERIES

UNIT_TYPES = frozenset({UnitRegistered.event_type, UnitRenamed.event_type, UnitRetired.event_type})
CASE_COLUMNS = (
    "case_id",
    "drill",
    "title",
    "channel",
    "source",
    "external_id",
    "link",
    "reported_unit",
    "owning_unit",
    "desk",
    "assignee",
    "supervisor",
    "state",
    "relevant",
    "category",
    "severity",
    "plan_version",
    "captured_at",
    "captured_on",
    "reported_at",
    "graded_at",
    "first_assigned_at",
    "acknowledged_at",
    "first_action_at",
    "closed_at",
    "deadlines",
    "overdue",
    "ever_overdue",
    "escalations",
    "updated_at",
)
UNIT_FIELDS = ("unit", "from_unit", "supervisor", "by_unit")


def _forget(row: dict[str, Any], *kinds: DeadlineKind) -> None:
    row["deadlines"] = {k: v for k, v in row["deadlines"].items() if k not in {kind.value for kind in kinds}}
    row["overdue"] = [k for k in row["overdue"] if k not in {kind.value for kind in kinds}]


def _set_deadlines(row: dict[str, Any], deadlines: dict[DeadlineKind, Due]) -> None:
    row["deadlines"] = {**row["deadlines"], **deadlines_json(deadlines)}
    row["overdue"] = [k for k in row["overdue"] if k not in {kind.value for kind in deadlines}]


def new_case(event: OpinionReported, at: datetime) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CASE_COLUMNS)
    row.update(
        case_id=event.case_id,
        drill=event.drill,
        title=event.title,
        channel=event.channel.value,
        source=event.source,
        external_id=event.external_id,
        link=event.link,
        reported_unit=event.unit,
        desk=event.unit,
        state="reported",
        captured_at=event.captured_at,
        captured_on=local_date(event.captured_at),
        reported_at=at,
        deadlines={},
        overdue=[],
        ever_overdue=False,
        escalations=0,
        updated_at=at,
    )
    return row


def apply_to_case(row: dict[str, Any], event: DomainEvent, at: datetime) -> None:  # noqa: PLR0912 - per type
    """The case row after ``event`` (the read-side twin of the domain's evolve, keeping timestamps)."""
    if isinstance(event, OpinionGraded):
        if not event.relevant:
            row.update(
                state="dismissed",
                relevant=False,
                owning_unit=None,
                category=None,
                severity=None,
                deadlines={},
            )
            row["overdue"] = []
            return
        row.update(
            state="graded",
            relevant=True,
            category=event.category.value if event.category else None,
            severity=event.severity.value if event.severity else None,
            owning_unit=event.owning_unit,
            plan_version=event.plan_version,
            graded_at=event.clock_start,
        )
        _set_deadlines(row, event.deadlines)
    elif isinstance(event, OpinionAssigned):
        # The dispatcher is the desk, or the assignee passing it down, who becomes the desk.
        row.update(state="assigned", desk=event.from_unit, assignee=event.to_unit)
        row["first_assigned_at"] = row["first_assigned_at"] or at
        _set_deadlines(row, event.deadlines)
    elif isinstance(event, OpinionAcknowledged):
        row.update(state="acknowledged", acknowledged_at=row["acknowledged_at"] or at)
        _forget(row, DeadlineKind.ACKNOWLEDGE)
    elif isinstance(event, ActionRecorded):
        row.update(state="disposing", first_action_at=row["first_action_at"] or at)
        _forget(row, DeadlineKind.FIRST_RESPONSE)
    elif isinstance(event, FeedbackGiven):
        row["state"] = "feedback_given"
    elif isinstance(event, OpinionClosed):
        row.update(state="closed", closed_at=at, deadlines={}, overdue=[])
    elif isinstance(event, OpinionReopened):
        closed = row["state"] == "closed"
        row.update(state="disposing" if closed else "reported", closed_at=None, deadlines={}, overdue=[])
        if not closed:
            row["relevant"] = None
        _set_deadlines(row, event.deadlines)
    elif isinstance(event, OpinionReturned):
        row.update(state="graded", desk=event.to_unit, assignee=None)
        _forget(row, DeadlineKind.ACKNOWLEDGE)
    elif isinstance(event, OpinionEscalated):
        row["escalations"] += 1
        if event.automatic:
            row["supervisor"] = event.to_unit
        else:
            state = "reported" if row["state"] == "reported" else "graded"
            row.update(state=state, desk=event.to_unit, assignee=None)
            _forget(row, DeadlineKind.ACKNOWLEDGE)
    elif isinstance(event, ExtensionDecided):
        _set_deadlines(row, event.deadlines)
    elif isinstance(event, OpinionOverdue):
        row.update(overdue=sorted({*row["overdue"], event.deadline.value}), ever_overdue=True)
    elif isinstance(event, SupervisionStarted):
        row["supervisor"] = event.supervisor
    row["updated_at"] = at


def timeline_row(delivered: Delivered, event: CaseEvent) -> tuple[Any, ...]:
    envelope = delivered.envelope
    detail = event.model_dump(mode="json", exclude={"case_id", "drill"})
    unit = next((detail[name] for name in UNIT_FIELDS if detail.get(name)), None)
    short_type = envelope.type.partition(".")[2]
    return (event.case_id, delivered.seq, envelope.time, short_type, envelope.actor, unit, detail)


@dataclass
class Batch:
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    timeline: list[tuple[Any, ...]] = field(default_factory=list)
    nil_reports: list[tuple[Any, ...]] = field(default_factory=list)
    plans: list[tuple[Any, ...]] = field(default_factory=list)
    units: list[tuple[Any, ...]] = field(default_factory=list)
    renames: list[tuple[Any, ...]] = field(default_factory=list)
    retirements: list[tuple[Any, ...]] = field(default_factory=list)


def decoded(batch: list[Delivered]) -> list[tuple[Delivered, DomainEvent]]:
    found = []
    for delivered in batch:
        envelope: EventEnvelope = delivered.envelope
        if not (envelope.type.startswith("opinion.") or envelope.type in UNIT_TYPES):
            continue  # other contexts' events: not part of this view
        try:
            found.append((delivered, delivered.event))
        except UnknownEventType:
            continue
    return found


class OpinionProjector:
    name = "opinion"
    event_types = (
        frozenset(m.event_type for m in REGISTRY.models() if m.event_type.startswith("opinion.")) | UNIT_TYPES
    )

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        events = decoded(batch)
        case_ids = sorted({event.case_id for _, event in events if isinstance(event, CaseEvent)})
        fold = Batch()
        if case_ids:
            rows = await conn.fetch(
                f"SELECT * FROM {schema}.opinion_cases WHERE case_id = ANY($1::text[])", case_ids
            )
            fold.cases = {row["case_id"]: dict(row) for row in rows}
        for delivered, event in events:
            self._fold(fold, delivered, event)
        await self._write(conn, schema, fold)

    def _fold(self, fold: Batch, delivered: Delivered, event: DomainEvent) -> None:
        at = delivered.envelope.time
        if isinstance(event, CaseEvent):
            if isinstance(event, OpinionReported):
                fold.cases.setdefault(event.case_id, new_case(event, at))
            elif event.case_id in fold.cases:
                apply_to_case(fold.cases[event.case_id], event, at)
            fold.timeline.append(timeline_row(delivered, event))
        elif isinstance(event, NilReportFiled):
            fold.nil_reports.append((event.unit, event.day, at))
        elif isinstance(event, ResponsePlanAdopted):
            limits = {
                severity.value: value.model_dump(mode="json") for severity, value in event.limits.items()
            }
            fold.plans.append((event.unit, event.plan_version, limits, event.note, at))
        elif isinstance(event, UnitRegistered):
            since = event.effective_on or local_date(at)
            fold.units.append((event.path, event.parent, event.name, event.kind.value, since))
        elif isinstance(event, UnitRenamed):
            fold.renames.append((event.path, event.name))
        elif isinstance(event, UnitRetired):
            fold.retirements.append((event.path, event.effective_on))

    async def _write(self, conn: Conn, schema: str, fold: Batch) -> None:
        if fold.units:
            await conn.executemany(
                f"INSERT INTO {schema}.opinion_units (path, parent, name, kind, since) VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT (path) DO UPDATE SET name = excluded.name, kind = excluded.kind, retired_on = NULL",
                fold.units,
            )
        for sql, rows in (
            (f"UPDATE {schema}.opinion_units SET name = $2 WHERE path = $1", fold.renames),
            (f"UPDATE {schema}.opinion_units SET retired_on = $2 WHERE path = $1", fold.retirements),
            (
                f"INSERT INTO {schema}.opinion_nil_reports (unit, day, filed_at) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING",
                fold.nil_reports,
            ),
            (
                f"INSERT INTO {schema}.opinion_plans (city, version, limits, note, adopted_at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                fold.plans,
            ),
            (
                f"INSERT INTO {schema}.opinion_timeline (case_id, seq, at, type, actor, unit, detail)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                fold.timeline,
            ),
        ):
            if rows:
                await conn.executemany(sql, rows)
        if fold.cases:
            columns = ", ".join(CASE_COLUMNS)
            values = ", ".join(f"${n}" for n in range(1, len(CASE_COLUMNS) + 1))
            updates = ", ".join(f"{c} = excluded.{c}" for c in CASE_COLUMNS[1:])
            await conn.executemany(
                f"INSERT INTO {schema}.opinion_cases ({columns}) VALUES ({values})"
                f" ON CONFLICT (case_id) DO UPDATE SET {updates}",
                [tuple(fold.cases[case_id][c] for c in CASE_COLUMNS) for case_id in sorted(fold.cases)],
            )


PROJECTORS: list[Projector] = [OpinionProjector()]
QUERIES: dict[str, QueryHandler] = {**OPINION_QUERIES, **NIL_REPORT_QUERIES}

"""The opinion view: one row per case with its place in the loop and its timestamps, each case's
timeline, nil reports and response plans (units, the monitoring posts, are in the one unit table of
readmodels.py). Queries are in opinion_queries.py.

The cases a batch touches are read once, every event applied to them in order, then written back.
Statistics are computed at query time over these rows (periods are arbitrary and medians do not roll
up); drills are kept here, flagged, and left out there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.opinion import (
    ActionRecorded,
    CaseEvent,
    DeadlineKind,
    Due,
    ExtensionDecided,
    ExtensionRequested,
    FeedbackGiven,
    NilReportFiled,
    OpinionAcknowledged,
    OpinionAdopted,
    OpinionAssigned,
    OpinionClosed,
    OpinionEscalated,
    OpinionGraded,
    OpinionHandedOver,
    OpinionOverdue,
    OpinionReopened,
    OpinionReported,
    OpinionReturned,
    ResponsePlanAdopted,
    SupervisionStarted,
    deadlines_json,
)
from contracts.registry import REGISTRY, DomainEvent
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date
from services.eventkit.projector import Delivered, Projector
from services.eventkit.queries import QuerySpec
from services.eventkit.readmodel import Batch, ReadModel, Rows, on, replacing
from services.projection.opinion_nil_reports import QUERIES as NIL_REPORT_QUERIES
from services.projection.opinion_queries import QUERIES as OPINION_QUERIES

OPINION_EVENTS = tuple(m for m in REGISTRY.models() if m.event_type.startswith("opinion."))
CASE_EVENTS = tuple(m for m in OPINION_EVENTS if issubclass(m, CaseEvent))
CASE_TYPES = (
    ("case_id", "text"),
    ("drill", "bool"),
    ("title", "text"),
    ("channel", "text"),
    ("source", "text"),
    ("external_id", "text"),
    ("link", "text"),
    ("reported_unit", "text"),
    ("owning_unit", "text"),
    ("desk", "text"),
    ("dispatchers", "text[]"),  # the units that passed it down, the desk last (the domain's chain)
    ("assignee", "text"),
    ("supervisor", "text"),
    ("state", "text"),
    ("relevant", "bool"),
    ("category", "text"),
    ("severity", "text"),
    ("plan_version", "int"),
    ("captured_at", "timestamptz"),
    ("captured_on", "date"),
    ("reported_at", "timestamptz"),
    ("graded_at", "timestamptz"),
    ("first_assigned_at", "timestamptz"),
    ("acknowledged_at", "timestamptz"),
    ("first_action_at", "timestamptz"),
    ("closed_at", "timestamptz"),
    ("deadlines", "jsonb"),
    ("overdue", "text[]"),
    ("ever_overdue", "bool"),
    ("escalations", "int"),
    ("pending_extension", "int"),  # working days asked for, while the request waits for a decision
    ("updated_at", "timestamptz"),
)
CASE_COLUMNS = tuple(name for name, _ in CASE_TYPES)
CASES = Rows("opinion_cases", CASE_TYPES, on_conflict=replacing(("case_id",), CASE_COLUMNS), key=("case_id",))
TIMELINE = Rows(
    "opinion_timeline",
    (
        ("case_id", "text"),
        ("seq", "bigint"),
        ("at", "timestamptz"),
        ("type", "text"),
        ("actor", "text"),
        ("unit", "text"),
        ("detail", "jsonb"),
    ),
)
NIL_REPORTS = Rows("opinion_nil_reports", (("unit", "text"), ("day", "date"), ("filed_at", "timestamptz")))
PLANS = Rows(
    "opinion_plans",
    (
        ("city", "text"),
        ("version", "int"),
        ("limits", "jsonb"),
        ("note", "text"),
        ("adopted_at", "timestamptz"),
    ),
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
        dispatchers=[event.unit],
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


def handed_case(event: OpinionHandedOver | OpinionAdopted, at: datetime) -> dict[str, Any]:
    """A case a county site was handed, whose report it may never have seen (reported at the city)."""
    row = new_case(event.report, at)
    handed = event.case
    row.update(
        state=handed.state,
        desk=handed.dispatchers[-1] if handed.dispatchers else handed.reported_unit,
        dispatchers=list(handed.dispatchers) or [handed.reported_unit],
        assignee=handed.assignee,
        supervisor=handed.supervisor,
        owning_unit=handed.owning_unit,
        category=handed.category.value if handed.category else None,
        severity=handed.severity.value if handed.severity else None,
        plan_version=handed.plan_version,
        graded_at=handed.clock_start,
        relevant=True if handed.category else None,
    )
    _set_deadlines(row, handed.deadlines)
    return row


def _chain(row: dict[str, Any], event: OpinionAssigned | OpinionReturned | OpinionEscalated) -> list[str]:
    """The units that passed the case down once ``event`` moved it (the domain's dispatchers, the desk
    last): the assignee passing it down joins; a desk handing it back up leaves; escalation starts anew."""
    chain: list[str] = list(row["dispatchers"])
    if isinstance(event, OpinionEscalated):
        return [event.to_unit]
    if isinstance(event, OpinionAssigned):
        return chain if event.from_unit == row["desk"] else [*chain, event.from_unit]
    return chain[:-1] if event.from_unit == row["desk"] else chain


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
        # The dispatcher is the desk, or the assignee passing it down, who becomes the desk; a request
        # for an extension was the old assignee's and leaves with it (as in the domain).
        row.update(
            state="assigned",
            desk=event.from_unit,
            dispatchers=_chain(row, event),
            assignee=event.to_unit,
            pending_extension=None,
        )
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
        row.update(state="closed", closed_at=at, deadlines={}, overdue=[], pending_extension=None)
    elif isinstance(event, OpinionReopened):
        closed = row["state"] == "closed"
        row.update(state="disposing" if closed else "reported", closed_at=None, deadlines={}, overdue=[])
        if not closed:
            row["relevant"] = None
        _set_deadlines(row, event.deadlines)
    elif isinstance(event, OpinionReturned):
        chain = _chain(row, event)
        row.update(
            state="graded", desk=event.to_unit, dispatchers=chain, assignee=None, pending_extension=None
        )
        _forget(row, DeadlineKind.ACKNOWLEDGE)
    elif isinstance(event, OpinionEscalated):
        row["escalations"] += 1
        if event.automatic:
            row["supervisor"] = event.to_unit
        else:
            state = "reported" if row["state"] == "reported" else "graded"
            row.update(
                state=state,
                desk=event.to_unit,
                dispatchers=_chain(row, event),
                assignee=None,
                pending_extension=None,
            )
            _forget(row, DeadlineKind.ACKNOWLEDGE)
    elif isinstance(event, ExtensionRequested):
        row["pending_extension"] = event.workdays
    elif isinstance(event, ExtensionDecided):
        row["pending_extension"] = None
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


class OpinionProjector(ReadModel):
    name = "opinion"

    async def load(self, conn: Conn, batch: Batch, events: list[tuple[Delivered, DomainEvent]]) -> None:
        case_ids = sorted({event.case_id for _, event in events if isinstance(event, CaseEvent)})
        if case_ids:
            rows = await conn.fetch(
                f"SELECT * FROM {batch.schema}.opinion_cases WHERE case_id = ANY($1::text[])", case_ids
            )
            for row in rows:
                batch.put(CASES, dict(row))

    @on(*CASE_EVENTS)
    def case_event(self, batch: Batch, event: CaseEvent, delivered: Delivered) -> None:
        at = event.occurred_at or delivered.envelope.time  # when the step happened, if it was stated
        case = batch.get(CASES, event.case_id)
        if isinstance(event, OpinionReported):
            if case is None:
                batch.put(CASES, new_case(event, at))
        elif case is None and isinstance(event, OpinionHandedOver | OpinionAdopted):
            batch.put(CASES, handed_case(event, at))
        elif case is not None:
            apply_to_case(case, event, at)
        batch.row(TIMELINE, *timeline_row(delivered, event))

    @on(NilReportFiled)
    def nil_report_filed(self, batch: Batch, event: NilReportFiled, delivered: Delivered) -> None:
        batch.row(NIL_REPORTS, event.unit, event.day, delivered.envelope.time)

    @on(ResponsePlanAdopted)
    def plan_adopted(self, batch: Batch, event: ResponsePlanAdopted, delivered: Delivered) -> None:
        limits = {severity.value: value.model_dump(mode="json") for severity, value in event.limits.items()}
        batch.row(PLANS, event.unit, event.plan_version, limits, event.note, delivered.envelope.time)


PROJECTORS: list[Projector] = [OpinionProjector()]
QUERIES: list[QuerySpec] = [*OPINION_QUERIES, *NIL_REPORT_QUERIES]

"""What assessment learns from the other services' events: units from duty, and every fact a scheme
may score — activities, targets and publications from outreach, graded opinion cases and missed
deadlines from opinion, outlets, coverage gaps, findings and rectifications from duty. Drills never
count. Each change marks the scores it touches dirty in the same transaction (see factstore)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from contracts.assessment import Metric
from contracts.duty import (
    InspectionRecorded,
    OutletCoverageGapClosed,
    OutletCoverageGapOpened,
    OutletRegistered,
    OutletRelocated,
    OutletStatus,
    OutletStatusChanged,
    RectificationClosed,
    RectificationOpened,
    RectificationOverdue,
    UnitRegistered,
    UnitRenamed,
    UnitRetired,
)
from contracts.envelope import EventEnvelope
from contracts.opinion import (
    CaseEvent,
    DeadlineKind,
    ExtensionDecided,
    OpinionClosed,
    OpinionGraded,
    OpinionOverdue,
    OpinionReopened,
    OpinionReported,
)
from contracts.outreach import (
    ActivityCorrected,
    ActivityLogged,
    ActivityVoided,
    PublicationPublished,
    PublicationViewsRecorded,
    TargetSet,
)
from contracts.registry import REGISTRY, DomainEvent
from contracts.subjects import event_filter
from services.assessment import tables
from services.assessment.domain.facts import AttrValue, Fact, Target
from services.eventkit.consumer import Reaction
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date

Learn = Callable[[Conn, EventEnvelope, Any], Awaitable[None]]


async def unit_changed(conn: Conn, envelope: EventEnvelope, event: DomainEvent) -> None:
    await tables.UNITS.learn(conn, event)  # the one way every service keeps its units


async def activity_logged(conn: Conn, envelope: EventEnvelope, event: ActivityLogged) -> None:
    attrs = {"kind": event.kind.value, "audience": event.audience}
    fact = Fact(
        f"activity:{event.activity_id}", Metric.ACTIVITY, event.unit, event.held_on, attrs, (envelope.id,)
    )
    await tables.put_fact(conn, fact)


async def activity_corrected(conn: Conn, envelope: EventEnvelope, event: ActivityCorrected) -> None:
    after = {"kind": event.after.kind.value, "audience": event.after.audience}
    subject = f"activity:{event.activity_id}"
    await tables.update_fact(conn, subject, envelope.id, after, on_date=event.after.held_on)


async def activity_voided(conn: Conn, envelope: EventEnvelope, event: ActivityVoided) -> None:
    await tables.remove_fact(conn, f"activity:{event.activity_id}")


async def target_set(conn: Conn, envelope: EventEnvelope, event: TargetSet) -> None:
    await tables.set_target(
        conn, event.unit, event.year, Target(event.kind.value, event.cadence, event.count)
    )


async def publication_published(conn: Conn, envelope: EventEnvelope, event: PublicationPublished) -> None:
    attrs: dict[str, AttrValue] = {"views": 0, "outlet_id": event.outlet_id}
    subject = f"publication:{event.publication_id}"
    fact = Fact(subject, Metric.PUBLICATION, event.unit, event.published_on, attrs, (envelope.id,))
    await tables.put_fact(conn, fact)


async def views_recorded(conn: Conn, envelope: EventEnvelope, event: PublicationViewsRecorded) -> None:
    await tables.update_fact(conn, f"publication:{event.publication_id}", envelope.id, {"views": event.views})


# --- opinion: a case becomes a fact once graded relevant; drills never do ----------------------------


async def opinion_reported(conn: Conn, envelope: EventEnvelope, event: OpinionReported) -> None:
    await tables.see_case(conn, event.case_id, event.unit, local_date(event.captured_at), event.drill)


def close_due(deadlines: dict[DeadlineKind, Any]) -> str | None:
    due = deadlines.get(DeadlineKind.CLOSE)
    return due.due_at.isoformat() if due is not None else None


async def opinion_graded(conn: Conn, envelope: EventEnvelope, event: OpinionGraded) -> None:
    subject = f"case:{event.case_id}"
    seen = await tables.seen_case(conn, event.case_id)
    if not event.relevant or seen is None:
        await tables.remove_fact(conn, subject)
        return
    before = await tables.get_fact(conn, subject)
    attrs: dict[str, Any] = {"closed": False, "closed_on_time": False, "overdue": False}
    if before is not None:
        attrs = {**before.attrs}
    attrs |= {
        "severity": event.severity.value if event.severity else "",
        "category": event.category.value if event.category else "",
        "close_due": close_due(event.deadlines) or attrs.get("close_due") or "",
    }
    unit = event.owning_unit or seen["unit"]
    events = (*(before.events if before else ()), envelope.id)
    await tables.put_fact(conn, Fact(subject, Metric.OPINION_CASE, unit, seen["captured_on"], attrs, events))


async def deadlines_moved(
    conn: Conn, envelope: EventEnvelope, event: OpinionReopened | ExtensionDecided
) -> None:
    due = close_due(event.deadlines)
    reopened = isinstance(event, OpinionReopened)
    attrs: dict[str, Any] = {"close_due": due} if due else {}
    if reopened:
        attrs |= {"closed": False, "closed_on_time": False}
    if attrs:
        await tables.update_fact(conn, f"case:{event.case_id}", envelope.id, attrs)


async def opinion_closed(conn: Conn, envelope: EventEnvelope, event: OpinionClosed) -> None:
    fact = await tables.get_fact(conn, f"case:{event.case_id}")
    if fact is None:
        return
    due = str(fact.attrs.get("close_due") or "")
    # Closed by the close deadline (as extended or reset by a reopening); a case without one is on time.
    on_time = not due or envelope.time <= datetime.fromisoformat(due)
    await tables.update_fact(conn, fact.subject, envelope.id, {"closed": True, "closed_on_time": on_time})


async def opinion_overdue(conn: Conn, envelope: EventEnvelope, event: OpinionOverdue) -> None:
    case = await tables.get_fact(conn, f"case:{event.case_id}")
    severity = str(case.attrs.get("severity", "")) if case else ""
    subject = f"overdue:{event.case_id}:{event.deadline.value}:{event.due_at.isoformat()}"
    attrs = {"deadline": event.deadline.value, "severity": severity}
    await tables.put_fact(
        conn,
        Fact(subject, Metric.OPINION_OVERDUE, event.unit, local_date(event.due_at), attrs, (envelope.id,)),
    )
    if case is not None:
        await tables.update_fact(conn, case.subject, envelope.id, {"overdue": True})


# --- duty: outlets and their coverage, findings and rectifications -----------------------------------


async def outlet_registered(conn: Conn, envelope: EventEnvelope, event: OutletRegistered) -> None:
    attrs = {"kind": event.kind.value}
    fact = Fact(
        f"outlet:{event.outlet_id}", Metric.OUTLET, event.unit, event.effective_on, attrs, (envelope.id,)
    )
    await tables.put_fact(conn, fact)


async def outlet_status_changed(conn: Conn, envelope: EventEnvelope, event: OutletStatusChanged) -> None:
    if event.status is OutletStatus.CLOSED:  # closing is final: the outlet leaves the population
        await tables.update_fact(conn, f"outlet:{event.outlet_id}", envelope.id, until=event.effective_on)


async def outlet_relocated(conn: Conn, envelope: EventEnvelope, event: OutletRelocated) -> None:
    await tables.update_fact(conn, f"outlet:{event.outlet_id}", envelope.id, unit=event.to_unit)


async def gap_opened(conn: Conn, envelope: EventEnvelope, event: OutletCoverageGapOpened) -> None:
    subject = f"gap:{event.outlet_id}:{event.effective_on.isoformat()}"
    attrs = {"outlet_id": event.outlet_id}
    await tables.put_fact(
        conn, Fact(subject, Metric.COVERAGE_GAP, event.unit, event.effective_on, attrs, (envelope.id,))
    )


async def gap_closed(conn: Conn, envelope: EventEnvelope, event: OutletCoverageGapClosed) -> None:
    subject = await tables.open_gap(conn, event.outlet_id)
    if subject is not None:
        await tables.update_fact(conn, subject, envelope.id, until=event.effective_on)


async def inspection_recorded(conn: Conn, envelope: EventEnvelope, event: InspectionRecorded) -> None:
    for finding in event.findings:
        outlet = await tables.get_fact(conn, f"outlet:{finding.outlet_id}")
        unit = outlet.unit if outlet else event.unit  # the outlet's own unit answers for what it carried
        attrs = {"item": finding.item.value, "outlet_id": finding.outlet_id}
        subject = f"finding:{event.inspection_id}:{finding.finding_id}"
        await tables.put_fact(
            conn, Fact(subject, Metric.FINDING, unit, event.inspected_on, attrs, (envelope.id,))
        )


async def rectification_opened(conn: Conn, envelope: EventEnvelope, event: RectificationOpened) -> None:
    attrs = {"item": event.item.value, "closed": False, "on_time": False, "overdue": False}
    subject = f"rectification:{event.rectification_id}"
    fact = Fact(subject, Metric.RECTIFICATION, event.unit, local_date(event.due_at), attrs, (envelope.id,))
    await tables.put_fact(conn, fact)


async def rectification_overdue(conn: Conn, envelope: EventEnvelope, event: RectificationOverdue) -> None:
    await tables.update_fact(conn, f"rectification:{event.rectification_id}", envelope.id, {"overdue": True})


async def rectification_closed(conn: Conn, envelope: EventEnvelope, event: RectificationClosed) -> None:
    attrs = {"closed": True, "on_time": not event.late}
    await tables.update_fact(conn, f"rectification:{event.rectification_id}", envelope.id, attrs)


LEARN: dict[type[DomainEvent], Learn] = {
    UnitRegistered: unit_changed,
    UnitRenamed: unit_changed,
    UnitRetired: unit_changed,
    ActivityLogged: activity_logged,
    ActivityCorrected: activity_corrected,
    ActivityVoided: activity_voided,
    TargetSet: target_set,
    PublicationPublished: publication_published,
    PublicationViewsRecorded: views_recorded,
    OpinionReported: opinion_reported,
    OpinionGraded: opinion_graded,
    OpinionReopened: deadlines_moved,
    ExtensionDecided: deadlines_moved,
    OpinionClosed: opinion_closed,
    OpinionOverdue: opinion_overdue,
    OutletRegistered: outlet_registered,
    OutletStatusChanged: outlet_status_changed,
    OutletRelocated: outlet_relocated,
    OutletCoverageGapOpened: gap_opened,
    OutletCoverageGapClosed: gap_closed,
    InspectionRecorded: inspection_recorded,
    RectificationOpened: rectification_opened,
    RectificationOverdue: rectification_overdue,
    RectificationClosed: rectification_closed,
}


async def learn(conn: Conn, envelope: EventEnvelope) -> None:
    event = REGISTRY.decode(envelope)
    if isinstance(event, CaseEvent) and event.drill:
        return  # drills (演练) are left out of every statistic and score
    handler = LEARN.get(type(event))
    if handler is not None:
        await handler(conn, envelope, event)


FACTS = Reaction(
    name="assessment-facts",
    filter_subjects=[event_filter(*model.event_type.split(".", 1)) for model in LEARN],
    handler=learn,
)
REACTIONS = [FACTS]

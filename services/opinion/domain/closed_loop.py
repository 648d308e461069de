"""What each case command decides, pure: the transition table first, then who may act, then the rule.
``now`` is passed in; ``limits`` are the case's response-plan limits for its severity."""

from __future__ import annotations

from datetime import datetime, timedelta

from contracts.opinion import (
    AcknowledgeOpinion,
    ActionRecorded,
    AssignOpinion,
    CloseOpinion,
    DeadlineKind,
    FeedbackGiven,
    GiveFeedback,
    GradeOpinion,
    IngestItem,
    OpinionAcknowledged,
    OpinionAssigned,
    OpinionClosed,
    OpinionGraded,
    OpinionReopened,
    OpinionReported,
    RecordAction,
    ReopenOpinion,
    ReportOpinion,
    RequestExtension,
    SeverityLimits,
)
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.eventkit.errors import DomainError, Forbidden, NotFound
from services.opinion.domain.case import Case, CaseState, Step, require, require_unit, strictly_within
from services.opinion.domain.deadlines import due_after, local_text

CLOCK_SKEW = timedelta(minutes=5)  # a capture time a little ahead of our clock is the source's clock


def decide_report(
    case: Case, case_id: str, unit_known: bool, now: datetime, command: ReportOpinion | IngestItem
) -> list[DomainEvent]:
    """Open a case for a captured item, at a registered unit, captured no later than now."""
    require(case, Step.REPORT, case_id)
    if not unit_known:
        raise NotFound(f"unit {command.unit} is not registered", field="unit", rule="unit_unknown")
    if command.captured_at > now + CLOCK_SKEW:
        raise DomainError(
            f"captured_at {command.captured_at.isoformat()} is in the future",
            field="captured_at",
            rule="time_in_future",
            params={"now": local_text(now)},
        )
    external = command if isinstance(command, IngestItem) else None
    return [
        OpinionReported(
            case_id=case_id,
            drill=command.drill,
            unit=command.unit,
            channel=command.channel,
            title=command.title,
            excerpt=command.excerpt,
            link=command.link,
            captured_at=command.captured_at,
            source=external.source if external else "staff",
            external_id=external.external_id if external else None,
        )
    ]


def decide_grade(
    case: Case,
    command: GradeOpinion,
    owner_known: bool,
    plan: tuple[int, SeverityLimits] | None,
    now: datetime,
) -> list[DomainEvent]:
    """研判 by the desk: not relevant dismisses it; relevant sets the owner and starts the response clocks
    under the response plan (the first relevant grading fixes the plan version and the clock start)."""
    require(case, Step.GRADE, command.case_id)
    require_unit(command.unit, case.desk, "which holds the case", Step.GRADE)
    if not command.relevant:
        return [
            OpinionGraded(
                case_id=case.case_id, drill=case.drill, unit=command.unit, relevant=False, note=command.note
            )
        ]
    assert command.owning_unit is not None
    if not owner_known:
        raise NotFound(
            f"unit {command.owning_unit} is not registered", field="owning_unit", rule="unit_unknown"
        )
    if not is_within(command.owning_unit, case.desk):
        raise DomainError(
            f"{command.owning_unit} lies outside {case.desk}: escalate the case to a level that covers it",
            field="owning_unit",
            rule="unit_outside_desk",
        )
    if plan is None:
        raise DomainError(
            "no response plan has been adopted yet: adopt one before grading",
            field="severity",
            rule="no_response_plan",
        )
    version, limits = plan
    clock_start = case.clock_start or now
    deadlines = {DeadlineKind.CLOSE: due_after(clock_start, limits.close)}
    if not case.responded:
        deadlines[DeadlineKind.FIRST_RESPONSE] = due_after(clock_start, limits.first_response)
    return [
        OpinionGraded(
            case_id=case.case_id,
            drill=case.drill,
            unit=command.unit,
            relevant=True,
            category=command.category,
            severity=command.severity,
            owning_unit=command.owning_unit,
            note=command.note,
            plan_version=version,
            clock_start=clock_start,
            deadlines=deadlines,
        )
    ]


def decide_assign(
    case: Case, command: AssignOpinion, target_known: bool, limits: SeverityLimits | None, now: datetime
) -> list[DomainEvent]:
    """派单: the desk dispatches within its subtree, or the assignee passes it further down; either way
    the receiving unit must acknowledge within the plan's limit."""
    require(case, Step.ASSIGN, command.case_id)
    assert limits is not None  # only graded cases get this far, and grading fixed their plan
    if case.state is CaseState.GRADED:
        require_unit(command.unit, case.desk, "which holds the case", Step.ASSIGN)
        if not is_within(command.to_unit, case.desk):
            raise DomainError(
                f"{command.to_unit} lies outside {case.desk}", field="to_unit", rule="unit_outside_desk"
            )
    else:
        assert case.assignee is not None
        require_unit(command.unit, case.assignee, "to which it is assigned", Step.ASSIGN)
        if not strictly_within(command.to_unit, case.assignee):
            raise DomainError(
                f"pass the case down to a unit below {case.assignee}", field="to_unit", rule="unit_not_below"
            )
    if not target_known:
        raise NotFound(f"unit {command.to_unit} is not registered", field="to_unit", rule="unit_unknown")
    return [
        OpinionAssigned(
            case_id=case.case_id,
            drill=case.drill,
            from_unit=command.unit,
            to_unit=command.to_unit,
            note=command.note,
            deadlines={DeadlineKind.ACKNOWLEDGE: due_after(now, limits.acknowledge)},
        )
    ]


def by_assignee(
    case: Case, command: AcknowledgeOpinion | RecordAction | GiveFeedback | RequestExtension, step: Step
) -> None:
    require(case, step, command.case_id)
    assert case.assignee is not None
    require_unit(command.unit, case.assignee, "to which it is assigned", step)


def decide_acknowledge(case: Case, command: AcknowledgeOpinion) -> list[DomainEvent]:
    by_assignee(case, command, Step.ACKNOWLEDGE)
    return [OpinionAcknowledged(case_id=case.case_id, drill=case.drill, unit=command.unit)]


def decide_record_action(case: Case, command: RecordAction) -> list[DomainEvent]:
    by_assignee(case, command, Step.RECORD_ACTION)
    return [
        ActionRecorded(
            case_id=case.case_id,
            drill=case.drill,
            unit=command.unit,
            action=command.action,
            description=command.description,
        )
    ]


def decide_feedback(case: Case, command: GiveFeedback) -> list[DomainEvent]:
    by_assignee(case, command, Step.GIVE_FEEDBACK)
    return [
        FeedbackGiven(
            case_id=case.case_id,
            drill=case.drill,
            unit=command.unit,
            said=command.said,
            reception=command.reception,
            reception_note=command.reception_note,
        )
    ]


def decide_close(case: Case, command: CloseOpinion) -> list[DomainEvent]:
    """办结 by the desk that dispatched it, once feedback has been given."""
    require(case, Step.CLOSE, command.case_id)
    require_unit(command.unit, case.desk, "which dispatched it", Step.CLOSE)
    return [
        OpinionClosed(
            case_id=case.case_id, drill=case.drill, unit=command.unit, resolution=command.resolution
        )
    ]


def decide_reopen(
    case: Case, command: ReopenOpinion, limits: SeverityLimits | None, now: datetime
) -> list[DomainEvent]:
    """The desk or a level above it reopens: a closed case goes back to disposal with a fresh close
    deadline; a dismissed item goes back to grading."""
    require(case, Step.REOPEN, command.case_id)
    if not is_within(case.desk, command.unit):
        raise Forbidden(
            f"only {case.desk} or a level above it can reopen this case",
            field="unit",
            rule="reopen_not_above",
        )
    deadlines = {}
    if case.state is CaseState.CLOSED and limits is not None:
        deadlines = {DeadlineKind.CLOSE: due_after(now, limits.close)}
    return [
        OpinionReopened(
            case_id=case.case_id,
            drill=case.drill,
            unit=command.unit,
            reason=command.reason,
            deadlines=deadlines,
        )
    ]

"""Decisions between levels, pure: return (退单) and escalation (上报) move a case between units;
supervision (督办) and extensions (延期) are decided by a level above the unit handling it."""

from __future__ import annotations

from contracts.opinion import (
    DeadlineKind,
    DecideExtension,
    EscalateOpinion,
    ExtensionDecided,
    ExtensionRequested,
    OpinionEscalated,
    OpinionReturned,
    RequestExtension,
    ReturnOpinion,
    SuperviseOpinion,
    SupervisionStarted,
)
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.eventkit.errors import DomainError, Forbidden
from services.opinion.domain.case import (
    Case,
    CaseState,
    Step,
    level_above,
    require,
    require_unit,
    strictly_within,
)
from services.opinion.domain.closed_loop import by_assignee
from services.opinion.domain.deadlines import extended


def decide_return(case: Case, command: ReturnOpinion) -> list[DomainEvent]:
    """退单: the assignee hands the case back to the desk; a desk that got it from above hands it back up."""
    require(case, Step.RETURN, command.case_id)
    if case.state is CaseState.GRADED:
        require_unit(command.unit, case.desk, "which holds the case", Step.RETURN)
        if len(case.dispatchers) < 2:
            raise DomainError(
                f"nobody dispatched this case to {case.desk}: escalate it instead",
                field="unit",
                rule="return_not_dispatched",
            )
        to_unit = case.dispatchers[-2]
    else:
        assert case.assignee is not None
        require_unit(command.unit, case.assignee, "to which it is assigned", Step.RETURN)
        if case.assignee == case.desk:
            raise DomainError(
                f"{case.desk} dispatched this case to itself: dispatch it again instead",
                field="unit",
                rule="return_to_itself",
            )
        to_unit = case.desk
    return [
        OpinionReturned(
            case_id=case.case_id,
            drill=case.drill,
            from_unit=command.unit,
            to_unit=to_unit,
            reason=command.reason,
        )
    ]


def decide_escalate(case: Case, command: EscalateOpinion) -> list[DomainEvent]:
    """上报: the unit holding the case hands it to the level above, which grades or dispatches it again."""
    require(case, Step.ESCALATE, command.case_id)
    if case.state in (CaseState.REPORTED, CaseState.GRADED):
        require_unit(command.unit, case.desk, "which holds the case", Step.ESCALATE)
    else:
        assert case.assignee is not None
        require_unit(command.unit, case.assignee, "to which it is assigned", Step.ESCALATE)
    above = level_above(command.unit)
    if above is None:
        raise DomainError(
            "the city is the top level: there is no level to escalate to",
            field="unit",
            rule="escalate_at_top",
        )
    return [
        OpinionEscalated(
            case_id=case.case_id,
            drill=case.drill,
            from_unit=command.unit,
            to_unit=above,
            reason=command.reason,
        )
    ]


def decide_request_extension(case: Case, command: RequestExtension) -> list[DomainEvent]:
    by_assignee(case, command, Step.REQUEST_EXTENSION)
    if case.pending_extension is not None:
        raise DomainError(
            "an extension request is already waiting for a decision",
            field="workdays",
            rule="extension_waiting",
        )
    if DeadlineKind.CLOSE not in case.deadlines:
        raise DomainError(
            "this case has no close deadline to extend", field="workdays", rule="extension_no_deadline"
        )
    return [
        ExtensionRequested(
            case_id=case.case_id,
            drill=case.drill,
            unit=command.unit,
            workdays=command.workdays,
            reason=command.reason,
        )
    ]


def decide_extension(case: Case, command: DecideExtension) -> list[DomainEvent]:
    """The level above the assignee (the city bureau for itself) approves or refuses; approval moves the
    close deadline on by the working days asked for."""
    require(case, Step.DECIDE_EXTENSION, command.case_id)
    if case.pending_extension is None:
        raise DomainError(
            "no extension request is waiting for a decision", field="approved", rule="extension_none_waiting"
        )
    assert case.assignee is not None
    top_for_itself = level_above(case.assignee) is None and command.unit == case.assignee
    if not (strictly_within(case.assignee, command.unit) or top_for_itself):
        raise Forbidden(
            f"only a level above {case.assignee} can decide its extension",
            field="unit",
            rule="extension_not_above",
        )
    deadlines = {}
    close = case.deadlines.get(DeadlineKind.CLOSE)
    if command.approved and close is not None:
        deadlines = {DeadlineKind.CLOSE: extended(close.due_at, case.pending_extension)}
    return [
        ExtensionDecided(
            case_id=case.case_id,
            drill=case.drill,
            unit=command.unit,
            approved=command.approved,
            workdays=case.pending_extension,
            note=command.note,
            deadlines=deadlines,
        )
    ]


def decide_supervise(case: Case, command: SuperviseOpinion) -> list[DomainEvent]:
    """督办 by a leader of a level above the handling unit (and above any current supervisor)."""
    require(case, Step.SUPERVISE, command.case_id)
    if not strictly_within(case.handler, command.unit):
        raise Forbidden(
            f"only a level above {case.handler} can supervise this case",
            field="unit",
            rule="supervise_not_above",
        )
    if case.supervisor is not None and is_within(command.unit, case.supervisor):
        raise DomainError(
            f"the case is already supervised by {case.supervisor}", field="unit", rule="already_supervised"
        )
    return [
        SupervisionStarted(
            case_id=case.case_id, drill=case.drill, supervisor=command.unit, reason=command.reason
        )
    ]

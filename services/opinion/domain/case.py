"""The opinion case, pure: its states, the table of what each state allows, and evolve.

Who holds a case: ``desk`` is the unit that grades and dispatches it (the last of ``dispatchers``,
the chain of units that passed it down); ``assignee`` the unit it was dispatched to (派单), which
acknowledges, acts, gives feedback — or returns (退单) or escalates (上报) it. ``handler`` is whoever
must move next: the assignee, else the desk. ``supervisor`` is the level above that tracks it (督办).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from contracts.opinion import (
    ActionRecorded,
    Category,
    DeadlineKind,
    Due,
    ExtensionDecided,
    ExtensionRequested,
    FeedbackGiven,
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
    Severity,
    SeverityLimits,
    SupervisionReceived,
    SupervisionStarted,
)
from contracts.registry import DomainEvent
from contracts.units import division_codes, is_within
from services.eventkit.errors import DomainError, Forbidden, NotFound


class CaseState(StrEnum):
    NEW = "new"  # nothing reported under this id yet
    REPORTED = "reported"  # 已上报，待研判
    GRADED = "graded"  # 已研判，待派单
    ASSIGNED = "assigned"  # 已派单，待签收
    ACKNOWLEDGED = "acknowledged"  # 已签收
    DISPOSING = "disposing"  # 处置中
    FEEDBACK_GIVEN = "feedback_given"  # 已反馈，待办结
    CLOSED = "closed"  # 已办结
    DISMISSED = "dismissed"  # 研判为无关


class Step(StrEnum):
    REPORT = "report"
    GRADE = "grade"
    ASSIGN = "assign"
    ACKNOWLEDGE = "acknowledge"
    RECORD_ACTION = "record_action"
    GIVE_FEEDBACK = "give_feedback"
    CLOSE = "close"
    REOPEN = "reopen"
    RETURN = "return"
    ESCALATE = "escalate"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    SUPERVISE = "supervise"


S, T = CaseState, Step
WORKING = (S.ACKNOWLEDGED, S.DISPOSING, S.FEEDBACK_GIVEN)
# (state, step) → the state after it. Anything not here is refused, naming what the state allows.
# Grading an item as not relevant leads to DISMISSED instead; escalating an ungraded item keeps it REPORTED.
TRANSITIONS: dict[tuple[CaseState, Step], CaseState] = {
    (S.NEW, T.REPORT): S.REPORTED,
    (S.REPORTED, T.GRADE): S.GRADED,
    (S.GRADED, T.GRADE): S.GRADED,  # regrade before dispatching (e.g. after a return)
    (S.GRADED, T.ASSIGN): S.ASSIGNED,  # the desk dispatches
    (S.ACKNOWLEDGED, T.ASSIGN): S.ASSIGNED,  # the assignee passes it further down (转派)
    (S.ASSIGNED, T.ACKNOWLEDGE): S.ACKNOWLEDGED,
    (S.ACKNOWLEDGED, T.RECORD_ACTION): S.DISPOSING,
    (S.DISPOSING, T.RECORD_ACTION): S.DISPOSING,
    (S.FEEDBACK_GIVEN, T.RECORD_ACTION): S.DISPOSING,  # a new action needs new feedback
    (S.DISPOSING, T.GIVE_FEEDBACK): S.FEEDBACK_GIVEN,
    (S.FEEDBACK_GIVEN, T.GIVE_FEEDBACK): S.FEEDBACK_GIVEN,
    (S.FEEDBACK_GIVEN, T.CLOSE): S.CLOSED,
    (S.CLOSED, T.REOPEN): S.DISPOSING,
    (S.DISMISSED, T.REOPEN): S.REPORTED,
    (S.ASSIGNED, T.RETURN): S.GRADED,
    (S.ACKNOWLEDGED, T.RETURN): S.GRADED,
    (S.GRADED, T.RETURN): S.GRADED,  # a desk that received it from above hands it back up
    (S.REPORTED, T.ESCALATE): S.REPORTED,
    (S.GRADED, T.ESCALATE): S.GRADED,
    (S.ASSIGNED, T.ESCALATE): S.GRADED,
    (S.ACKNOWLEDGED, T.ESCALATE): S.GRADED,
    (S.DISPOSING, T.ESCALATE): S.GRADED,
    **{(state, T.REQUEST_EXTENSION): state for state in WORKING},
    **{(state, T.DECIDE_EXTENSION): state for state in WORKING},
    **{(state, T.SUPERVISE): state for state in (S.GRADED, S.ASSIGNED, *WORKING)},
}
OPEN_STATES = frozenset(CaseState) - {S.NEW, S.CLOSED, S.DISMISSED}


@dataclass(frozen=True)
class Clock:
    """A running deadline; ``missed`` once its overdue notice went out (it stays until met)."""

    due_at: datetime
    estimated: bool = False
    missed: bool = False

    def as_due(self) -> Due:
        return Due(due_at=self.due_at, estimated=self.estimated)


@dataclass(frozen=True)
class Case:
    case_id: str = ""
    state: CaseState = CaseState.NEW
    drill: bool = False
    reported_unit: str = ""
    dispatchers: tuple[str, ...] = ()
    assignee: str | None = None
    supervisor: str | None = None
    category: Category | None = None
    severity: Severity | None = None
    owning_unit: str | None = None
    plan_version: int | None = None
    clock_start: datetime | None = None
    deadlines: dict[DeadlineKind, Clock] = field(default_factory=dict)
    ladder_at: datetime | None = None  # when the overdue ladder takes its next step
    responded: bool = False
    pending_extension: int | None = None
    happened_at: datetime | None = None  # when its latest step happened (its capture, at first)
    held_at: str | None = None  # the site it was handed to (it is worked there)
    handed_limits: SeverityLimits | None = None  # the plan's limits, for a site that does not have the plan

    @property
    def desk(self) -> str:
        return self.dispatchers[-1] if self.dispatchers else self.reported_unit

    @property
    def handler(self) -> str:
        return self.assignee or self.desk

    def seen_from(self, scope: str) -> bool:
        """Whether a unit of ``scope``'s subtree has a part in the case: reported, held, handles, owns or
        supervises it (as the gateway's case read decides)."""
        units = (self.reported_unit, *self.dispatchers, self.assignee, self.supervisor, self.owning_unit)
        return any(unit and is_within(unit, scope) for unit in units)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue(self) -> list[DeadlineKind]:
        """Deadlines missed and not met yet."""
        return [kind for kind, clock in self.deadlines.items() if clock.missed]


def level_above(path: str) -> str | None:
    """The office one level up: a section's own office; township → county → city; None above the city."""
    codes = division_codes(path)
    if len(codes) < len(path.split(".")):
        return ".".join(codes)
    return ".".join(codes[:-1]) or None


def strictly_within(path: str, scope: str) -> bool:
    return path != scope and is_within(path, scope)


def allowed_steps(state: CaseState) -> list[Step]:
    return [step for (source, step) in TRANSITIONS if source == state]


def missing_case(case_id: str) -> NotFound:
    """The refusal for a case nobody reported, and for one the actor's subtree has no part in."""
    return NotFound(
        f"there is no opinion case {case_id}; report it first", field="case_id", rule="case_missing"
    )


class HeldElsewhere(DomainError):
    """A step the city may not take on a case a county site holds (it would fork the case)."""

    code = "conflict"


def require(case: Case, step: Step, case_id: str) -> CaseState:
    """The state ``step`` leads to from the case's state, or a refusal naming the state and what it allows."""
    if case.held_at is not None and step is not Step.SUPERVISE:
        raise HeldElsewhere(
            f"case {case_id} is held at the county site {case.held_at}: it is worked at that site's"
            " gateway; the city may supervise it",
            field="case_id",
            rule="held_elsewhere",
            params={"site": case.held_at},
        )
    if (case.state, step) in TRANSITIONS:
        return TRANSITIONS[(case.state, step)]
    if case.state is CaseState.NEW:
        raise missing_case(case_id)
    if step is Step.REPORT:
        raise DomainError(
            f"case {case_id} is already reported", field="case_id", rule="case_already_reported"
        )
    allowed = ", ".join(allowed_steps(case.state)) or "nothing"
    raise DomainError(
        f"case {case_id} is {case.state.value}: it cannot {step.value.replace('_', ' ')} now; "
        f"allowed now: {allowed}",
        field="case_id",
        rule="case_step_not_now",
    )


def require_unit(acting: str, expected: str, role: str, step: Step) -> None:
    if acting != expected:
        raise Forbidden(
            f"only {expected}, {role}, can {step.value.replace('_', ' ')} this case (you acted as {acting})",
            field="unit",
            rule="case_other_unit",
        )


def _clocks(deadlines: dict[DeadlineKind, Due]) -> dict[DeadlineKind, Clock]:
    return {kind: Clock(due.due_at, due.estimated) for kind, due in deadlines.items()}


def adopted(event: OpinionAdopted) -> Case:
    """A county site's case as the city handed it over."""
    handed = event.case
    return Case(
        case_id=event.case_id,
        state=CaseState(handed.state),
        drill=event.drill,
        reported_unit=handed.reported_unit,
        dispatchers=tuple(handed.dispatchers),
        assignee=handed.assignee,
        supervisor=handed.supervisor,
        category=handed.category,
        severity=handed.severity,
        owning_unit=handed.owning_unit,
        plan_version=handed.plan_version,
        clock_start=handed.clock_start,
        deadlines=_clocks(handed.deadlines),
        handed_limits=handed.limits,
    )


def _without(case: Case, *kinds: DeadlineKind) -> dict[DeadlineKind, Clock]:
    return {kind: clock for kind, clock in case.deadlines.items() if kind not in kinds}


def evolve(case: Case, event: DomainEvent) -> Case:
    """The case after ``event``; a ladder with nothing overdue any more stops."""
    after = _apply(case, event)
    if after.ladder_at is not None and not after.overdue():
        after = replace(after, ladder_at=None)
    happened = (
        event.captured_at if isinstance(event, OpinionReported) else getattr(event, "occurred_at", None)
    )
    if happened is not None and (after.happened_at is None or happened > after.happened_at):
        after = replace(after, happened_at=happened)
    return after


def _apply(case: Case, event: DomainEvent) -> Case:  # noqa: PLR0911, PLR0912 - one branch per event type
    if isinstance(event, OpinionReported):
        return Case(event.case_id, S.REPORTED, event.drill, event.unit, (event.unit,))
    if isinstance(event, OpinionGraded):
        if not event.relevant:
            return replace(case, state=S.DISMISSED, deadlines={}, ladder_at=None)
        return replace(
            case,
            state=S.GRADED,
            category=event.category,
            severity=event.severity,
            owning_unit=event.owning_unit,
            plan_version=event.plan_version,
            clock_start=event.clock_start,
            deadlines={**case.deadlines, **_clocks(event.deadlines)},
        )
    if isinstance(event, OpinionAssigned):
        passed_down = event.from_unit != case.desk
        dispatchers = (*case.dispatchers, event.from_unit) if passed_down else case.dispatchers
        deadlines = {**case.deadlines, **_clocks(event.deadlines)}
        return replace(
            case,
            state=S.ASSIGNED,
            dispatchers=dispatchers,
            assignee=event.to_unit,
            deadlines=deadlines,
            pending_extension=None,  # passed down: the new assignee asks for itself (and none grants its own)
        )
    if isinstance(event, OpinionAcknowledged):
        return replace(case, state=S.ACKNOWLEDGED, deadlines=_without(case, DeadlineKind.ACKNOWLEDGE))
    if isinstance(event, ActionRecorded):
        deadlines = _without(case, DeadlineKind.FIRST_RESPONSE)
        return replace(case, state=S.DISPOSING, responded=True, deadlines=deadlines)
    if isinstance(event, FeedbackGiven):
        return replace(case, state=S.FEEDBACK_GIVEN)
    if isinstance(event, OpinionClosed):
        return replace(case, state=S.CLOSED, deadlines={}, ladder_at=None, pending_extension=None)
    if isinstance(event, OpinionReopened):
        state = S.DISPOSING if case.state is S.CLOSED else S.REPORTED
        return replace(case, state=state, deadlines=_clocks(event.deadlines))
    if isinstance(event, OpinionReturned):
        dispatchers = case.dispatchers[:-1] if event.from_unit == case.desk else case.dispatchers
        deadlines = _without(case, DeadlineKind.ACKNOWLEDGE)
        # the assignee's extension request leaves with it: nobody may decide it for the next assignee
        return replace(
            case,
            state=S.GRADED,
            dispatchers=dispatchers,
            assignee=None,
            deadlines=deadlines,
            pending_extension=None,
        )
    if isinstance(event, OpinionEscalated):
        if event.automatic:
            return replace(case, supervisor=event.to_unit, ladder_at=event.next_step_at)
        state = S.REPORTED if case.state is S.REPORTED else S.GRADED
        deadlines = _without(case, DeadlineKind.ACKNOWLEDGE)
        return replace(
            case,
            state=state,
            dispatchers=(event.to_unit,),
            assignee=None,
            deadlines=deadlines,
            pending_extension=None,  # as on a return: the request was the assignee's
        )
    if isinstance(event, ExtensionRequested):
        return replace(case, pending_extension=event.workdays)
    if isinstance(event, ExtensionDecided):
        return replace(case, pending_extension=None, deadlines={**case.deadlines, **_clocks(event.deadlines)})
    if isinstance(event, OpinionOverdue):
        deadlines = dict(case.deadlines)
        if event.deadline in deadlines:
            deadlines[event.deadline] = replace(deadlines[event.deadline], missed=True)
        ladder_at = event.next_step_at if event.next_step_at is not None else case.ladder_at
        return replace(case, deadlines=deadlines, ladder_at=ladder_at)
    if isinstance(event, OpinionHandedOver):
        return replace(case, held_at=event.to_site, deadlines={}, ladder_at=None)
    if isinstance(event, OpinionAdopted):
        return adopted(event)
    if isinstance(event, SupervisionReceived):
        return replace(case, supervisor=event.supervisor)
    if isinstance(event, SupervisionStarted):
        ladder_at = event.next_step_at if event.automatic else case.ladder_at
        return replace(case, supervisor=event.supervisor, ladder_at=ladder_at)
    return case  # ChaseIssued and anything newer change nothing a decision needs

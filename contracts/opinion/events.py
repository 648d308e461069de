"""Opinion events: past tense; every case event carries its case id and the drill flag."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field

from contracts.opinion.common import (
    ActionKind,
    Category,
    Channel,
    DeadlineKind,
    Due,
    Reception,
    Severity,
    SeverityLimits,
)
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath


@event("opinion.response_plan_adopted")
class ResponsePlanAdopted(DomainEvent):
    plan_version: int = Field(ge=1)
    unit: UnitPath
    limits: dict[Severity, SeverityLimits]
    note: str = ""


@event("opinion.nil_report_filed")
class NilReportFiled(DomainEvent):
    unit: UnitPath
    day: date
    note: str = ""


class CaseEvent(DomainEvent):
    """Every case event names its case and carries the drill flag, so readers can leave drills out."""

    case_id: str
    drill: bool = False
    occurred_at: AwareDatetime | None = Field(
        default=None,
        description="when the step happened, as the command stated it (else the envelope's time)",
    )
    backdate_reason: str | None = Field(default=None, description="why it was recorded late (补录)")


@event("opinion.reported")
class OpinionReported(CaseEvent):
    unit: UnitPath
    channel: Channel
    title: str
    excerpt: str
    link: str | None = None
    captured_at: AwareDatetime
    source: str = Field(description="'staff', or the monitoring system's name")
    external_id: str | None = None


@event("opinion.graded")
class OpinionGraded(CaseEvent):
    unit: UnitPath = Field(description="the unit that graded it")
    relevant: bool
    category: Category | None = None
    severity: Severity | None = None
    owning_unit: UnitPath | None = None
    note: str = ""
    plan_version: int | None = None
    clock_start: AwareDatetime | None = Field(
        default=None, description="first response and close run from here"
    )
    deadlines: dict[DeadlineKind, Due] = Field(default_factory=dict)


@event("opinion.assigned")
class OpinionAssigned(CaseEvent):
    from_unit: UnitPath
    to_unit: UnitPath
    note: str = ""
    deadlines: dict[DeadlineKind, Due] = Field(default_factory=dict)


@event("opinion.acknowledged")
class OpinionAcknowledged(CaseEvent):
    unit: UnitPath


@event("opinion.action_recorded")
class ActionRecorded(CaseEvent):
    unit: UnitPath
    action: ActionKind
    description: str


@event("opinion.feedback_given")
class FeedbackGiven(CaseEvent):
    unit: UnitPath
    said: str
    reception: Reception
    reception_note: str = ""


@event("opinion.closed")
class OpinionClosed(CaseEvent):
    unit: UnitPath
    resolution: str


@event("opinion.reopened")
class OpinionReopened(CaseEvent):
    unit: UnitPath
    reason: str
    deadlines: dict[DeadlineKind, Due] = Field(default_factory=dict)


@event("opinion.returned")
class OpinionReturned(CaseEvent):
    from_unit: UnitPath
    to_unit: UnitPath
    reason: str


@event("opinion.escalated")
class OpinionEscalated(CaseEvent):
    """Manual (上报): ``to_unit`` takes the case over and dispatches it again. Automatic (overdue):
    ``to_unit`` takes over supervision; the unit handling it keeps it."""

    from_unit: UnitPath
    to_unit: UnitPath
    reason: str
    automatic: bool = False
    next_step_at: AwareDatetime | None = None


@event("opinion.extension_requested")
class ExtensionRequested(CaseEvent):
    unit: UnitPath
    workdays: int = Field(ge=1)
    reason: str


@event("opinion.extension_decided")
class ExtensionDecided(CaseEvent):
    unit: UnitPath
    approved: bool
    workdays: int = Field(ge=1)
    note: str = ""
    deadlines: dict[DeadlineKind, Due] = Field(default_factory=dict)


@event("opinion.overdue")
class OpinionOverdue(CaseEvent):
    deadline: DeadlineKind
    due_at: AwareDatetime
    unit: UnitPath = Field(description="the unit that was to meet it")
    next_step_at: AwareDatetime | None = None


@event("opinion.chase_issued")
class ChaseIssued(CaseEvent):
    deadline: DeadlineKind
    to_unit: UnitPath
    by_unit: UnitPath
    message: str


@event("opinion.supervision_started")
class SupervisionStarted(CaseEvent):
    supervisor: UnitPath
    reason: str
    automatic: bool = False
    next_step_at: AwareDatetime | None = None

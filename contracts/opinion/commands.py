"""Opinion commands. Case commands name the ``unit`` acting (the actor's scope must contain it); the
case's rules say which unit may take which step."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator
from pydantic_core import PydanticCustomError

from contracts.commands import Command, Role, command
from contracts.occurrence import StatedOccurrence
from contracts.opinion.common import (
    CASE_ID,
    CLERKS,
    LEADERS,
    LINK,
    ActionKind,
    Category,
    Channel,
    LongText,
    Note,
    Reason,
    Reception,
    Severity,
    SeverityLimits,
)
from contracts.units import UnitPath


@command("opinion.adopt_response_plan", roles=LEADERS)
class AdoptResponsePlan(Command):
    """Adopt a new version of the response plan (应急预案); cases keep the version they were graded under."""

    unit: UnitPath = Field(description="the city bureau adopting it")
    limits: dict[Severity, SeverityLimits]
    note: Note = ""

    @model_validator(mode="after")
    def _every_severity(self) -> AdoptResponsePlan:
        missing = [s.value for s in Severity if s not in self.limits]
        if missing:
            raise ValueError(f"limits for every severity are needed; missing {', '.join(missing)}")
        return self


class ItemFields(Command):
    unit: UnitPath = Field(description="the unit the item was captured for (its monitoring post)")
    channel: Channel
    title: str = Field(min_length=1, max_length=200)
    excerpt: LongText
    link: str | None = LINK
    captured_at: AwareDatetime
    drill: bool = Field(default=False, description="an exercise: excluded from every statistic")


@command("opinion.report", roles=CLERKS)
class ReportOpinion(ItemFields):
    """A member of staff reports an item they captured."""

    case_id: str = CASE_ID


@command("opinion.ingest_item", roles=frozenset({Role.SYSTEM}))
class IngestItem(ItemFields):
    """A monitoring system reports an item (served on ``sanji.ingest.opinion.item``); deduplicated by
    source + external id: a repeat replies ok with the original case and stores nothing."""

    source: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    external_id: str = Field(min_length=1, max_length=128)


class CaseCommand(Command, StatedOccurrence):
    case_id: str = CASE_ID
    unit: UnitPath = Field(description="the unit acting; the case's rules say which unit may do what")


@command("opinion.grade", roles=CLERKS)
class GradeOpinion(CaseCommand):
    relevant: bool
    category: Category | None = None
    severity: Severity | None = None
    owning_unit: UnitPath | None = None
    note: Note = ""

    @model_validator(mode="after")
    def _relevant_needs_grade(self) -> GradeOpinion:
        given = [self.category, self.severity, self.owning_unit]
        # coded, so that a page can say it in its own language
        if self.relevant and None in given:
            raise PydanticCustomError(
                "grade_incomplete", "a relevant item needs category, severity and owning_unit"
            )
        if not self.relevant and given != [None, None, None]:
            raise PydanticCustomError(
                "grade_not_relevant", "an item that is not relevant has no category, severity or owning_unit"
            )
        return self


@command("opinion.assign", roles=CLERKS)
class AssignOpinion(CaseCommand):
    to_unit: UnitPath
    note: Note = ""


@command("opinion.acknowledge", roles=CLERKS)
class AcknowledgeOpinion(CaseCommand):
    pass


@command("opinion.record_action", roles=CLERKS)
class RecordAction(CaseCommand):
    action: ActionKind
    description: LongText


@command("opinion.give_feedback", roles=CLERKS)
class GiveFeedback(CaseCommand):
    said: Annotated[LongText, Field(description="what was said (the response given)")]
    reception: Reception
    reception_note: Note = ""


@command("opinion.close", roles=CLERKS)
class CloseOpinion(CaseCommand):
    resolution: LongText


@command("opinion.reopen", roles=CLERKS)
class ReopenOpinion(CaseCommand):
    reason: Reason


@command("opinion.return", roles=CLERKS)
class ReturnOpinion(CaseCommand):
    """退单: the assigned unit hands the case back (outside its duties), with a reason."""

    reason: Reason


@command("opinion.escalate", roles=CLERKS)
class EscalateOpinion(CaseCommand):
    """上报: the unit holding the case hands it up to the level above."""

    reason: Reason


@command("opinion.request_extension", roles=CLERKS)
class RequestExtension(CaseCommand):
    workdays: int = Field(ge=1, le=30, description="working days added to the close deadline")
    reason: Reason


@command("opinion.decide_extension", roles=LEADERS)
class DecideExtension(CaseCommand):
    approved: bool
    note: Note = ""


@command("opinion.supervise", roles=LEADERS)
class SuperviseOpinion(CaseCommand):
    """督办: a level above the handling unit takes the case under supervision."""

    reason: Reason


@command("opinion.file_nil_report", roles=frozenset({Role.ADMIN, Role.CLERK, Role.SYSTEM}))
class FileNilReport(Command):
    """零报告: a monitoring post says it found nothing to report that day."""

    unit: UnitPath
    day: date = Field(description="local date in Asia/Shanghai")
    note: Note = ""

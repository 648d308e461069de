"""Outreach context, further records a bureau's summary quotes: leaders' field surveys (调研) with the
problems found and solved, and selections and awards (最美民政窗口, 最美基层民政人, prizes for publicity
work). Each is recorded once with the day it happened; more than BACKDATE_DAYS late needs a reason."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from contracts.commands import Command, Role, command
from contracts.inputs import MULTILINE, InputModel
from contracts.occurrence import BackdateReason
from contracts.outreach import ActivityId, PersonName
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath

RECORDERS = frozenset({Role.ADMIN, Role.CLERK, Role.LEADER})
Place = Annotated[str, Field(min_length=1, max_length=100)]


class SurveyProblem(InputModel):
    """A problem a field survey found, and whether it has been solved."""

    model_config = ConfigDict(str_strip_whitespace=True)
    description: Annotated[str, Field(min_length=1, max_length=500), MULTILINE]
    solved: bool = False


@command("outreach.record_field_survey", roles=RECORDERS)
class RecordFieldSurvey(Command):
    """Record a leader's field survey (调研) once, with the problems it found and which were solved."""

    survey_id: ActivityId
    unit: UnitPath
    held_on: date = Field(description="when it happened: local date in Asia/Shanghai")
    led_by: PersonName
    topic: str = Field(min_length=1, max_length=200)
    places: list[Place] = Field(min_length=1, max_length=20, description="where the survey went")
    problems: list[SurveyProblem] = Field(default_factory=list, max_length=50)
    backdate_reason: BackdateReason | None = None


@event("outreach.field_survey_recorded")
class FieldSurveyRecorded(DomainEvent):
    survey_id: str
    unit: UnitPath
    held_on: date
    led_by: str
    topic: str
    places: list[str]
    problems: list[SurveyProblem]
    backdate_reason: str | None = None


class AwardKind(StrEnum):
    BEST_WINDOW = "best_window"  # 最美民政窗口
    BEST_GRASSROOTS_WORKER = "best_grassroots_worker"  # 最美基层民政人
    PUBLICITY_PRIZE = "publicity_prize"  # 宣传工作奖项 (a piece, a column or a unit)
    OTHER = "other"  # 其他评选表彰


@command("outreach.record_award", roles=RECORDERS)
class RecordAward(Command):
    """Record a selection or award (评选表彰) a unit, one of its windows or people received."""

    award_id: ActivityId
    unit: UnitPath = Field(description="the unit that received it, or whose window or person did")
    kind: AwardKind
    title: str = Field(
        min_length=1, max_length=200, description="the award's name, e.g. 2025年度最美民政窗口"
    )
    recipient: str = Field(min_length=1, max_length=100, description="the window, person or piece honoured")
    awarded_by: str = Field(min_length=1, max_length=100, description="the body that gave it")
    awarded_on: date = Field(description="when it was given: local date in Asia/Shanghai")
    backdate_reason: BackdateReason | None = None


@event("outreach.award_recorded")
class AwardRecorded(DomainEvent):
    award_id: str
    unit: UnitPath
    kind: AwardKind
    title: str
    recipient: str
    awarded_by: str
    awarded_on: date
    backdate_reason: str | None = None

"""Outreach context, meetings: the meetings that take up this work (党组会专题研究, 领导小组会议,
联席会议, 形势研判, 民主生活会, 述职), each recorded once with the day it was held, attendance, topics and
decisions, one at a time or in bulk with a per-row report; and targets for them per unit and period."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field

from contracts.commands import Command, Role, command
from contracts.inputs import EACH_LATER, MULTILINE, InputModel, PlanYear
from contracts.occurrence import BackdateReason
from contracts.outreach import (
    MAX_IMPORT_ROWS,
    MAX_TARGET,
    ActivityId,
    Cadence,
    ExternalId,
    PersonName,
    Reason,
    SourceName,
)
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath

MeetingId = ActivityId
MAX_ATTENDANCE = 10_000
Topic = Annotated[str, Field(min_length=1, max_length=200)]
Decision = Annotated[str, Field(min_length=1, max_length=1000), MULTILINE]


class MeetingKind(StrEnum):
    PARTY_GROUP_MEETING = "party_group_meeting"  # 党组会专题研究
    LEADING_GROUP_MEETING = "leading_group_meeting"  # 领导小组会议
    JOINT_MEETING = "joint_meeting"  # 领导小组办公室联席会议
    SITUATION_ANALYSIS = "situation_analysis"  # 形势研判 / 分析研判 (not the grading of one opinion item)
    SELF_CRITICISM_MEETING = "self_criticism_meeting"  # 民主生活会 (this work as a required part)
    ANNUAL_REPORT = "annual_report"  # 述职 (this work in a leader's annual report)


class MeetingFacts(InputModel):
    """What is recorded about a held meeting, beside its id and unit."""

    model_config = ConfigDict(str_strip_whitespace=True)
    kind: MeetingKind
    held_on: date = Field(description="when it happened: local date in Asia/Shanghai")
    attendance: int = Field(ge=1, le=MAX_ATTENDANCE, description="how many attended")
    attendees: list[PersonName] = Field(default_factory=list, max_length=200, description="named attendees")
    chaired_by: PersonName | None = None
    topics: list[Topic] = Field(min_length=1, max_length=20, description="what it studied")
    decisions: list[Decision] = Field(default_factory=list, max_length=50, description="what it decided")
    backdate_reason: BackdateReason | None = None


MEETING_FACT_FIELDS = tuple(MeetingFacts.model_fields)


@command("outreach.record_meeting", roles=frozenset({Role.ADMIN, Role.CLERK, Role.LEADER}))
class RecordMeeting(Command):
    """Record a held meeting once; more than BACKDATE_DAYS after it was held needs a backdate_reason."""

    meeting_id: MeetingId
    unit: UnitPath
    facts: MeetingFacts


@event("outreach.meeting_recorded")
class MeetingRecorded(DomainEvent):
    """A held meeting; the envelope's time is when it was recorded, ``facts.held_on`` when it happened."""

    meeting_id: str
    unit: UnitPath
    facts: MeetingFacts
    source: str | None = Field(default=None, description="set when imported: the sending system")
    external_id: str | None = Field(default=None, description="set when imported: the id in the source")


class MeetingRow(InputModel):
    """One row of a bulk record. Its meeting id is derived from (source, external_id)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    row: int | None = Field(default=None, ge=1, description="row number in the source file, for the report")
    external_id: ExternalId
    unit: UnitPath
    facts: MeetingFacts


@command("outreach.record_meetings", roles=frozenset({Role.ADMIN, Role.CLERK, Role.SYSTEM}))
class RecordMeetings(Command):
    """Up to 500 meetings from one source, each row checked on its own (see MeetingRow): a bad row is
    reported and skipped, good rows are kept, a row seen before is reported as a duplicate."""

    max_bytes: ClassVar[int] = 512 * 1024
    source: SourceName
    unit: UnitPath = Field(description="every row's unit must lie in this unit's subtree")
    rows: Annotated[list[Any], EACH_LATER] = Field(
        min_length=1, max_length=MAX_IMPORT_ROWS, description="objects with the fields of MeetingRow"
    )


@command("outreach.set_meeting_target", roles=frozenset({Role.ADMIN, Role.LEADER}))
class SetMeetingTarget(Command):
    """At least ``count`` meetings of ``kind`` per ``cadence`` period of ``year`` (e.g. situation
    analyses twice a year; 0 withdraws it). Counted from the unit's own meetings."""

    unit: UnitPath
    year: PlanYear
    kind: MeetingKind
    cadence: Cadence
    count: int = Field(ge=0, le=MAX_TARGET)
    reason: Reason | None = Field(default=None, description="required when revising a target")


@event("outreach.meeting_target_set")
class MeetingTargetSet(DomainEvent):
    unit: UnitPath
    year: int
    kind: MeetingKind
    cadence: Cadence
    count: int
    reason: str | None = None
    revision: int = Field(ge=1, description="1 when first set, then counting revisions")

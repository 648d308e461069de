"""Outreach context: activities (logged, corrected, voided, imported in bulk), plans and targets per
unit, kind and period, and publications under 三审三校 (three reviews before anything goes out)."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.commands import Command, Role, command
from contracts.inputs import EACH_LATER, MULTILINE, InputModel, PlanYear
from contracts.occurrence import BackdateReason, StatedOccurrence
from contracts.registry import DomainEvent, event, upcaster
from contracts.units import UnitPath

MAX_AUDIENCE = 1_000_000
MAX_DURATION_MINUTES = 7 * 24 * 60  # a week-long training is the longest thing logged as one activity
MAX_IMPORT_ROWS = 500
MAX_TARGET = 10_000

ActivityId = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
PublicationId = ActivityId
OutletId = Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
PersonName = Annotated[str, Field(min_length=1, max_length=50)]
FileHash = Annotated[
    str, Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of a stored file, lowercase hex")
]
Reason = Annotated[str, Field(min_length=1, max_length=500), MULTILINE]
Comments = Annotated[str, Field(max_length=2000), MULTILINE]
Summary = Annotated[str, Field(max_length=2000), MULTILINE]
SourceName = Annotated[
    str, Field(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_.-]*$", description="the sending system")
]
SubtypeCode = Annotated[
    str,
    Field(
        min_length=2,
        max_length=40,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="an activity subtype the city defined (contracts/outreach_taxonomy.py), e.g. onsite_teaching",
    ),
]
ColumnName = Annotated[
    str,
    Field(min_length=1, max_length=40, description="a standing column (栏目) of the outlet, e.g. 政策解读"),
]
ExternalId = Annotated[str, Field(min_length=1, max_length=128, description="the record's id in its source")]


class ActivityKind(StrEnum):
    CENTRAL_GROUP_STUDY = "central_group_study"  # 中心组学习
    SEMINAR = "seminar"  # 专题研讨
    LECTURE = "lecture"  # 民政大讲堂
    OUTREACH_TALK = "outreach_talk"  # 宣讲
    BRANCH_STUDY = "branch_study"  # 主题党日 / 支部学习
    COMMUNITY_EVENT = "community_event"  # 社区活动
    TRAINING = "training"  # 培训
    DRILL = "drill"  # 应急演练


class ActivityFacts(BaseModel):
    """What is recorded about a held activity, beside its id and unit (a correction may change any of it)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    kind: ActivityKind
    subtype: SubtypeCode | None = None
    topic: str = Field(min_length=1, max_length=200)
    held_on: date = Field(description="local date in Asia/Shanghai")
    starts_at: time | None = Field(default=None, description="local time in Asia/Shanghai")
    audience: int = Field(
        ge=0, le=MAX_AUDIENCE, description="人次: attendance counted per person per occasion"
    )
    participants: list[PersonName] = Field(
        default_factory=list, max_length=200, description="named attendees"
    )
    duration_minutes: int | None = Field(default=None, ge=1, le=MAX_DURATION_MINUTES)
    venue: str | None = Field(default=None, min_length=1, max_length=200)
    speakers: list[PersonName] = Field(default_factory=list, max_length=20)
    evidence: list[FileHash] = Field(default_factory=list, max_length=20, description="files stored by hash")


FACT_FIELDS = tuple(ActivityFacts.model_fields)
REQUIRED_FACTS = frozenset(name for name, field in ActivityFacts.model_fields.items() if field.is_required())


# --- activities -----------------------------------------------------------------------------


@command("outreach.log_activity")
class LogActivity(Command):
    activity_id: ActivityId
    unit: UnitPath
    kind: ActivityKind
    subtype: SubtypeCode | None = None
    topic: str = Field(min_length=1, max_length=200)
    held_on: date = Field(description="local date in Asia/Shanghai")
    starts_at: time | None = None
    audience: int = Field(
        ge=0, le=MAX_AUDIENCE, description="人次: attendance counted per person per occasion"
    )
    participants: list[PersonName] = Field(default_factory=list, max_length=200)
    duration_minutes: int | None = Field(default=None, ge=1, le=MAX_DURATION_MINUTES)
    venue: str | None = Field(default=None, min_length=1, max_length=200)
    speakers: list[PersonName] = Field(default_factory=list, max_length=20)
    evidence: list[FileHash] = Field(default_factory=list, max_length=20)

    def facts(self) -> ActivityFacts:
        return ActivityFacts(**self.model_dump(include=set(FACT_FIELDS)))


@event("outreach.activity_logged", version=2)
class ActivityLogged(DomainEvent):
    """v2 added participants, duration, venue, speakers, evidence and the import source; a subtype is
    optional (absent in events logged before the taxonomy existed)."""

    activity_id: str
    unit: UnitPath
    kind: ActivityKind
    subtype: str | None = None
    topic: str
    held_on: date
    starts_at: time | None = None
    audience: int = Field(ge=0)
    participants: list[str] = Field(default_factory=list)
    duration_minutes: int | None = None
    venue: str | None = None
    speakers: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    source: str | None = Field(default=None, description="set when imported: the sending system")
    external_id: str | None = Field(default=None, description="set when imported: the id in the source")

    def facts(self) -> ActivityFacts:
        return ActivityFacts.model_validate(self.model_dump(include=set(FACT_FIELDS)))


@upcaster("outreach.activity_logged", 1)
def activity_logged_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 knew none of the details added in v2: they are empty."""
    empty: dict[str, Any] = {
        "participants": [],
        "duration_minutes": None,
        "venue": None,
        "speakers": [],
        "evidence": [],
    }
    return empty | {"source": None, "external_id": None} | data


@command("outreach.correct_activity")
class CorrectActivity(Command):
    """JSON merge-patch of an activity's facts: a field left out stays, a field given replaces, an
    optional field sent as null is cleared. The unit cannot change (void and log it again)."""

    activity_id: ActivityId
    unit: UnitPath = Field(description="the activity's unit (checked against the record)")
    reason: Reason
    kind: ActivityKind | None = None
    subtype: SubtypeCode | None = None
    topic: str | None = Field(default=None, min_length=1, max_length=200)
    held_on: date | None = None
    starts_at: time | None = None
    audience: int | None = Field(default=None, ge=0, le=MAX_AUDIENCE)
    participants: list[PersonName] | None = Field(default=None, max_length=200)
    duration_minutes: int | None = Field(default=None, ge=1, le=MAX_DURATION_MINUTES)
    venue: str | None = Field(default=None, min_length=1, max_length=200)
    speakers: list[PersonName] | None = Field(default=None, max_length=20)
    evidence: list[FileHash] | None = Field(default=None, max_length=20)

    def patch(self) -> dict[str, Any]:
        """The facts this correction sets (including explicit nulls), by field name."""
        return {name: getattr(self, name) for name in FACT_FIELDS if name in self.model_fields_set}


@event("outreach.activity_corrected")
class ActivityCorrected(DomainEvent):
    """The facts before and after, so every reader can adjust its counts without other state."""

    activity_id: str
    unit: UnitPath
    reason: str
    before: ActivityFacts
    after: ActivityFacts
    changed: list[str]


@command("outreach.void_activity")
class VoidActivity(Command):
    activity_id: ActivityId
    unit: UnitPath = Field(description="the activity's unit (checked against the record)")
    reason: Reason


@event("outreach.activity_voided")
class ActivityVoided(DomainEvent):
    """Final: the activity no longer counts anywhere; ``facts`` are what it counted as until now."""

    activity_id: str
    unit: UnitPath
    reason: str
    facts: ActivityFacts


class ActivityRow(InputModel):
    """One row of a bulk import. Its activity id is derived from (source, external_id)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    row: int | None = Field(default=None, ge=1, description="row number in the source file, for the report")
    external_id: ExternalId
    unit: UnitPath
    kind: ActivityKind
    subtype: SubtypeCode | None = None
    topic: str = Field(min_length=1, max_length=200)
    held_on: date
    starts_at: time | None = None
    audience: int = Field(ge=0, le=MAX_AUDIENCE)
    participants: list[PersonName] = Field(default_factory=list, max_length=200)
    duration_minutes: int | None = Field(default=None, ge=1, le=MAX_DURATION_MINUTES)
    venue: str | None = Field(default=None, min_length=1, max_length=200)
    speakers: list[PersonName] = Field(default_factory=list, max_length=20)
    evidence: list[FileHash] = Field(default_factory=list, max_length=20)

    def facts(self) -> ActivityFacts:
        return ActivityFacts(**self.model_dump(include=set(FACT_FIELDS)))


@command("outreach.log_activities", roles=frozenset({Role.ADMIN, Role.CLERK, Role.SYSTEM}))
class LogActivities(Command):
    """Up to 500 activities from one source. Rows are checked one by one (see ActivityRow): a bad
    row is reported and skipped, good rows are kept, a row seen before is reported as a duplicate."""

    max_bytes: ClassVar[int] = 512 * 1024
    source: SourceName
    unit: UnitPath = Field(description="every row's unit must lie in this unit's subtree")
    rows: Annotated[list[Any], EACH_LATER] = Field(
        min_length=1, max_length=MAX_IMPORT_ROWS, description="objects with the fields of ActivityRow"
    )


# --- plans and targets ----------------------------------------------------------------------


class Cadence(StrEnum):
    MONTH = "month"  # 每月
    QUARTER = "quarter"  # 每季度
    YEAR = "year"  # 每年


class TargetScope(StrEnum):
    OWN = "own"  # the unit's own activities
    SUBTREE = "subtree"  # the unit's and every unit's below it


@command("outreach.set_target", roles=frozenset({Role.ADMIN, Role.LEADER}))
class SetTarget(Command):
    """At least ``count`` activities of ``kind`` per ``cadence`` period of ``year`` (0 withdraws it)."""

    unit: UnitPath
    year: PlanYear
    kind: ActivityKind
    cadence: Cadence
    count: int = Field(ge=0, le=MAX_TARGET)
    audience: int | None = Field(default=None, ge=1, le=MAX_AUDIENCE, description="人次 per period, optional")
    scope: TargetScope = TargetScope.OWN
    reason: Reason | None = Field(default=None, description="required when revising a target")


@event("outreach.target_set")
class TargetSet(DomainEvent):
    unit: UnitPath
    year: int
    kind: ActivityKind
    cadence: Cadence
    count: int
    audience: int | None = None
    scope: TargetScope
    reason: str | None = None
    revision: int = Field(ge=1, description="1 when first set, then counting revisions")


# --- publications under 三审三校 --------------------------------------------------------------


class PublicationKind(StrEnum):
    ARTICLE = "article"  # 文章
    IMAGE_POST = "image_post"  # 图文
    VIDEO = "video"  # 视频
    NOTICE = "notice"  # 通知公告
    COMMENTARY = "commentary"  # 评论文章


class ReviewStage(StrEnum):
    FIRST = "first"  # 初审
    SECOND = "second"  # 复审
    THIRD = "third"  # 终审


class PublicationStatus(StrEnum):
    """Where a publication stands (its stage in 三审三校), as every reader derives it from the events."""

    AWAITING_FIRST = "awaiting_first"  # 待初审
    AWAITING_SECOND = "awaiting_second"  # 待复审
    AWAITING_THIRD = "awaiting_third"  # 待终审
    RETURNED = "returned"  # 退回修改
    APPROVED = "approved"  # 三审通过，待发布
    PUBLISHED = "published"  # 已发布


class ReviewDecision(StrEnum):
    APPROVE = "approve"  # 通过
    SEND_BACK = "send_back"  # 退回修改


def status_after_review(stage: ReviewStage, decision: ReviewDecision) -> PublicationStatus:
    """Where a publication stands after a review: the next stage, approved after the third, or returned."""
    if decision is ReviewDecision.SEND_BACK:
        return PublicationStatus.RETURNED
    return {
        ReviewStage.FIRST: PublicationStatus.AWAITING_SECOND,
        ReviewStage.SECOND: PublicationStatus.AWAITING_THIRD,
        ReviewStage.THIRD: PublicationStatus.APPROVED,
    }[stage]


@command("outreach.submit_publication")
class SubmitPublication(Command, StatedOccurrence):
    publication_id: PublicationId
    unit: UnitPath
    kind: PublicationKind
    title: str = Field(min_length=1, max_length=200)
    outlet_id: OutletId = Field(description="the registered outlet (阵地) it is meant for")
    column: ColumnName | None = None
    summary: Summary | None = None
    manuscript: FileHash | None = Field(default=None, description="the text or video, stored by hash")


@event("outreach.publication_submitted")
class PublicationSubmitted(DomainEvent):
    publication_id: str
    unit: UnitPath
    kind: PublicationKind
    title: str
    outlet_id: str
    column: str | None = Field(default=None, description="the outlet's standing column (栏目)")
    summary: str | None = None
    manuscript: str | None = None
    submitted_by: str
    occurred_at: AwareDatetime | None = Field(default=None, description="when the stage happened")
    backdate_reason: str | None = None


REVIEW_ROLES = frozenset({Role.ADMIN, Role.CLERK, Role.LEADER})


@command("outreach.review_publication", roles=REVIEW_ROLES)
class ReviewPublication(Command, StatedOccurrence):
    publication_id: PublicationId
    unit: UnitPath
    stage: ReviewStage
    decision: ReviewDecision
    comments: Comments | None = Field(default=None, description="required when sending back")


@event("outreach.publication_reviewed")
class PublicationReviewed(DomainEvent):
    publication_id: str
    unit: UnitPath
    round: int = Field(ge=1, description="1, then one more after each revision")
    stage: ReviewStage
    decision: ReviewDecision
    comments: str | None = None
    reviewer: str
    occurred_at: AwareDatetime | None = Field(default=None, description="when the stage happened")
    backdate_reason: str | None = None


@command("outreach.revise_publication", roles=REVIEW_ROLES)
class RevisePublication(Command, StatedOccurrence):
    """After a send-back: the revised piece goes through all three reviews again."""

    publication_id: PublicationId
    unit: UnitPath
    note: Reason
    title: str | None = Field(default=None, min_length=1, max_length=200)
    summary: Summary | None = None
    manuscript: FileHash | None = None
    outlet_id: OutletId | None = None


@event("outreach.publication_revised")
class PublicationRevised(DomainEvent):
    publication_id: str
    unit: UnitPath
    round: int = Field(ge=2, description="the review round the revision starts")
    note: str
    title: str
    summary: str | None = None
    manuscript: str | None = None
    outlet_id: str
    revised_by: str
    occurred_at: AwareDatetime | None = Field(default=None, description="when the stage happened")
    backdate_reason: str | None = None


@command("outreach.publish", roles=REVIEW_ROLES)
class Publish(Command):
    """Publish a piece that passed the three reviews: on a day not before its last review was signed."""

    publication_id: PublicationId
    unit: UnitPath
    published_on: date = Field(description="when it was published: local date in Asia/Shanghai")
    backdate_reason: BackdateReason | None = None
    url: str | None = Field(default=None, max_length=500)


@event("outreach.publication_published")
class PublicationPublished(DomainEvent):
    publication_id: str
    unit: UnitPath
    outlet_id: str
    outlet_unit: UnitPath
    published_on: date
    url: str | None = None


@command("outreach.record_views", roles=frozenset({Role.ADMIN, Role.CLERK, Role.SYSTEM}))
class RecordViews(Command):
    """The outlet's latest cumulative view count (阅读量/播放量); it replaces the one before."""

    publication_id: PublicationId
    unit: UnitPath
    views: int = Field(ge=0, le=10_000_000_000)
    as_of: date = Field(description="local date the figure was read")


@event("outreach.publication_views_recorded")
class PublicationViewsRecorded(DomainEvent):
    publication_id: str
    unit: UnitPath
    outlet_id: str
    views: int = Field(ge=0)
    previous: int = Field(ge=0)
    as_of: date

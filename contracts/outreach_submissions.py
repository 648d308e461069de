"""Outreach context, information submissions (信息报送): items a unit sends upward to a higher body or its
media, each recorded once with the day it was sent, and their adoptions (录用) by an outlet of some
level; and quotas (指标) per unit, year and period for items submitted, adopted and pieces published.

A section's information officer (信息宣传员) is not recorded here: it is duty's post of kind
``information_officer`` (contracts/duty), filled and vacated like any post; the summary flags the units
whose post is missing or vacant."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from contracts.commands import Command, Role, command
from contracts.inputs import PlanYear
from contracts.occurrence import BackdateReason
from contracts.outreach import MAX_TARGET, ActivityId, Cadence, Reason
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath

SubmissionId = ActivityId
RECORDERS = frozenset({Role.ADMIN, Role.CLERK, Role.LEADER})
# Items and adoptions also arrive from an OA or e-learning system on the ingest subjects (contracts/ingest.py).
INGESTED = RECORDERS | {Role.SYSTEM}
Recipient = Annotated[
    str,
    Field(min_length=1, max_length=100, description="the body or outlet, e.g. 市民政局办公室、中国社会报"),
]


class SubmissionLevel(StrEnum):
    """How high the body an item went to, or the outlet that adopted it, stands."""

    COUNTY = "county"  # 县（区）级
    CITY = "city"  # 市级
    PROVINCE = "province"  # 省级
    NATIONAL = "national"  # 国家级（部级、中央媒体）


@command("outreach.record_submission", roles=INGESTED)
class RecordSubmission(Command):
    """Record an item of information sent upward once; more than BACKDATE_DAYS late needs a reason."""

    submission_id: SubmissionId
    unit: UnitPath = Field(description="the unit (section) that sent it")
    title: str = Field(min_length=1, max_length=200)
    submitted_on: date = Field(description="when it was sent: local date in Asia/Shanghai")
    level: SubmissionLevel = Field(description="the level of the body it was sent to")
    recipient: Recipient
    backdate_reason: BackdateReason | None = None


@event("outreach.submission_recorded")
class SubmissionRecorded(DomainEvent):
    submission_id: str
    unit: UnitPath
    title: str
    submitted_on: date
    level: SubmissionLevel
    recipient: str
    backdate_reason: str | None = None


@command("outreach.record_adoption", roles=INGESTED)
class RecordAdoption(Command):
    """Record that an outlet adopted (录用) a submitted item: once per outlet, on or after the day it was
    sent. An item adopted by the city and then by the province is two adoptions."""

    submission_id: SubmissionId
    unit: UnitPath
    adopted_on: date = Field(description="when it was adopted: local date in Asia/Shanghai")
    level: SubmissionLevel = Field(description="the level of the outlet that adopted it")
    outlet: Recipient
    backdate_reason: BackdateReason | None = None


@event("outreach.submission_adopted")
class SubmissionAdopted(DomainEvent):
    submission_id: str
    unit: UnitPath
    adopted_on: date
    level: SubmissionLevel
    outlet: str
    backdate_reason: str | None = None


class QuotaMeasure(StrEnum):
    """What a quota counts, over the unit's whole subtree."""

    SUBMITTED = "submitted"  # 报送信息条数
    ADOPTED = "adopted"  # 录用信息条次
    PUBLISHED = "published"  # 发布原创稿件篇数 (every publication Sanji records is the unit's own)


@command("outreach.set_quota", roles=frozenset({Role.ADMIN, Role.LEADER}))
class SetQuota(Command):
    """At least ``count`` of ``measure`` per ``cadence`` period of ``year`` (e.g. 4 items submitted a
    month, 12 adopted a year, 24 pieces published a year; 0 withdraws it), counted over the subtree."""

    unit: UnitPath
    year: PlanYear
    measure: QuotaMeasure
    cadence: Cadence
    count: int = Field(ge=0, le=MAX_TARGET)
    reason: Reason | None = Field(default=None, description="required when revising a quota")


@event("outreach.quota_set")
class QuotaSet(DomainEvent):
    unit: UnitPath
    year: int
    measure: QuotaMeasure
    cadence: Cadence
    count: int
    reason: str | None = None
    revision: int = Field(ge=1, description="1 when first set, then counting revisions")

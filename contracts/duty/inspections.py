"""Inspections of outlets against the negative list (负面清单) and rectifications (整改) with deadlines
in working days."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from contracts.commands import Command, command
from contracts.duty.common import RECORDS, SIGN_OFF, EntityId, Frozen, LongText, Reason, Summary
from contracts.occurrence import StatedOccurrence
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath


class NegativeListItem(StrEnum):
    """负面清单: what an outlet must not carry (the maintained list; extend by adding members)."""

    POLITICAL_ERROR = "political_error"  # 政治性差错
    IMPROPER_WORDING = "improper_wording"  # 提法不规范、表述错误
    UNREVIEWED_CONTENT = "unreviewed_content"  # 未经三审三校发布
    SENSITIVE_INFORMATION = "sensitive_information"  # 涉密或敏感信息
    PERSONAL_DATA = "personal_data"  # 泄露个人信息
    STALE_CONTENT = "stale_content"  # 长期不更新 (“僵尸”阵地)
    COMMERCIAL_ADVERTISING = "commercial_advertising"  # 违规商业广告
    VULGAR_CONTENT = "vulgar_content"  # 低俗、不良内容
    UNREGISTERED_OUTLET = "unregistered_outlet"  # 未备案、无人负责的阵地


class Finding(Frozen):
    finding_id: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.:-]+$")]
    outlet_id: EntityId
    item: NegativeListItem
    description: LongText


class Evidence(Frozen):
    description: Reason
    reference: str | None = Field(default=None, max_length=300, description="link, photo or document number")


@command("duty.record_inspection", roles=RECORDS)
class RecordInspection(Command):
    inspection_id: EntityId
    unit: UnitPath = Field(description="the unit whose outlets were inspected (its subtree)")
    inspected_on: date
    inspector: str = Field(min_length=1, max_length=100)
    outlets_checked: list[EntityId] = Field(min_length=1, max_length=200)
    findings: list[Finding] = Field(default_factory=list, max_length=100)
    summary: Summary | None = None


@command("duty.open_rectification", roles=RECORDS)
class OpenRectification(Command, StatedOccurrence):
    rectification_id: EntityId
    inspection_id: EntityId
    finding_id: str = Field(min_length=1, max_length=32)
    unit: UnitPath = Field(description="the inspection's unit or one above it")
    workdays: int = Field(ge=1, le=60, description="working days to fix it (statutory calendar)")
    instructions: LongText


class RectificationCommand(Command):
    rectification_id: EntityId
    unit: UnitPath


@command("duty.add_rectification_evidence", roles=RECORDS)
class AddRectificationEvidence(RectificationCommand):
    evidence: list[Evidence] = Field(min_length=1, max_length=20)


@command("duty.close_rectification", roles=SIGN_OFF)
class CloseRectification(RectificationCommand, StatedOccurrence):
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    summary: LongText


@event("duty.inspection_recorded")
class InspectionRecorded(DomainEvent):
    inspection_id: EntityId
    unit: UnitPath
    inspected_on: date
    inspector: str
    outlets_checked: list[EntityId]
    findings: list[Finding]
    summary: str | None = None


@event("duty.rectification_opened")
class RectificationOpened(DomainEvent):
    rectification_id: EntityId
    inspection_id: EntityId
    finding_id: str
    outlet_id: EntityId
    unit: UnitPath  # the outlet's unit: the one that must fix it
    item: NegativeListItem
    instructions: str
    workdays: int
    opened_at: datetime
    due_at: datetime
    deadline_estimated: bool = Field(description="the year's holiday calendar was not known: weekdays only")


@event("duty.rectification_evidence_added")
class RectificationEvidenceAdded(DomainEvent):
    rectification_id: EntityId
    unit: UnitPath
    evidence: list[Evidence]


@event("duty.rectification_overdue")
class RectificationOverdue(DomainEvent):
    rectification_id: EntityId
    unit: UnitPath
    due_at: datetime


@event("duty.rectification_closed")
class RectificationClosed(DomainEvent):
    rectification_id: EntityId
    unit: UnitPath
    summary: str
    evidence: list[Evidence]
    closed_at: datetime
    late: bool

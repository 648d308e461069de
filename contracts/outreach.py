"""Outreach context: logged activities (plans, publications and imports come in later issues)."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from pydantic import Field

from contracts.commands import Command, command
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath

MAX_AUDIENCE = 1_000_000


class ActivityKind(StrEnum):
    CENTRAL_GROUP_STUDY = "central_group_study"  # 中心组学习
    SEMINAR = "seminar"  # 专题研讨
    LECTURE = "lecture"  # 民政大讲堂
    OUTREACH_TALK = "outreach_talk"  # 宣讲
    BRANCH_STUDY = "branch_study"  # 主题党日 / 支部学习
    COMMUNITY_EVENT = "community_event"  # 社区活动
    TRAINING = "training"  # 培训
    DRILL = "drill"  # 应急演练


@command("outreach.log_activity")
class LogActivity(Command):
    activity_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    unit: UnitPath
    kind: ActivityKind
    topic: str = Field(min_length=1, max_length=200)
    held_on: date = Field(description="local date in Asia/Shanghai")
    starts_at: time | None = None
    audience: int = Field(
        ge=0, le=MAX_AUDIENCE, description="人次: attendance counted per person per occasion"
    )

    def target_unit(self) -> str:
        return self.unit


@event("outreach.activity_logged")
class ActivityLogged(DomainEvent):
    activity_id: str
    unit: UnitPath
    kind: ActivityKind
    topic: str
    held_on: date
    starts_at: time | None = None
    audience: int = Field(ge=0)

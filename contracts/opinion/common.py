"""Types shared by the opinion contracts: bounded texts, kinds, the response plan's limits, deadlines."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from contracts.commands import Role
from contracts.inputs import MULTILINE, InputModel

CASE_ID = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
Reason = Annotated[str, Field(min_length=1, max_length=1000), MULTILINE]
Note = Annotated[str, Field(max_length=1000), MULTILINE]
LongText = Annotated[str, Field(min_length=1, max_length=2000), MULTILINE]
LINK = Field(default=None, max_length=1000, pattern=r"^https?://\S+$")
CLERKS = frozenset({Role.ADMIN, Role.CLERK, Role.LEADER})
LEADERS = frozenset({Role.ADMIN, Role.LEADER})


class Channel(StrEnum):
    """Where an item appeared."""

    WEBSITE = "website"  # 网站
    WEIBO = "weibo"  # 微博
    WECHAT = "wechat"  # 微信
    SHORT_VIDEO = "short_video"  # 短视频
    NEWS = "news"  # 新闻媒体
    FORUM = "forum"  # 论坛/贴吧
    HOTLINE = "hotline_12345"  # 12345 热线
    OTHER = "other"


class Category(StrEnum):
    SOCIAL_ASSISTANCE = "social_assistance"  # 社会救助
    ELDERLY_CARE = "elderly_care"  # 养老服务
    CHILD_WELFARE = "child_welfare"  # 儿童福利
    DISABILITY = "disability"  # 残疾人福利
    MARRIAGE = "marriage"  # 婚姻登记
    FUNERAL = "funeral"  # 殡葬管理
    SOCIAL_ORGANIZATION = "social_organization"  # 社会组织
    CHARITY = "charity"  # 慈善
    COMMUNITY = "community"  # 基层治理/社区
    PLACE_NAMES = "place_names"  # 区划地名
    OTHER = "other"


class Severity(StrEnum):
    I = "I"  # noqa: E741 - 特别重大: the statutory grade names are Roman numerals
    II = "II"  # 重大
    III = "III"  # 较大
    IV = "IV"  # 一般


class DeadlineKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"  # 签收: from each dispatch
    FIRST_RESPONSE = "first_response"  # 首次回应: the first recorded action, from the first grading
    CLOSE = "close"  # 办结: from the first grading (or the reopening)


class ActionKind(StrEnum):
    VERIFY = "verify"  # 核实
    RESPOND_PUBLICLY = "respond_publicly"  # 发布回应
    CONTACT_PARTY = "contact_party"  # 联系当事人
    RECTIFY = "rectify"  # 整改
    COORDINATE = "coordinate"  # 协调联动
    OTHER = "other"


class Reception(StrEnum):
    """How the feedback was received."""

    ACCEPTED = "accepted"  # 认可
    NEUTRAL = "neutral"  # 无明显反应
    DISPUTED = "disputed"  # 仍有异议


class Limit(InputModel):
    """A time limit: ``{"hours": 2}`` (clock hours, around the clock) or ``{"workdays": 3}`` (to the end
    of the n-th statutory working day after the local day it starts)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    hours: int | None = Field(default=None, ge=1, le=24 * 60)
    workdays: int | None = Field(default=None, ge=1, le=60)

    @model_validator(mode="after")
    def _exactly_one(self) -> Limit:
        if (self.hours is None) == (self.workdays is None):
            raise ValueError("give exactly one of hours or workdays")
        return self


class SeverityLimits(InputModel):
    """The limits for one severity: the three deadlines, then the waits of the overdue ladder."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    acknowledge: Limit
    first_response: Limit
    close: Limit
    supervise_after: Limit = Field(description="after a missed deadline's chase, the level above supervises")
    escalate_after: Limit = Field(description="after that, each further wait moves supervision a level up")


class Due(BaseModel):
    """A deadline as set: when, and whether it rests on plain weekdays (year's calendar not yet known)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    due_at: AwareDatetime
    estimated: bool = False


def ingested_case_id(source: str, external_id: str) -> str:
    """The case id of a monitoring system's item: always the same for one (source, external id)."""
    return "m-" + hashlib.sha256(f"{source}\n{external_id}".encode()).hexdigest()[:24]


def deadlines_json(deadlines: dict[DeadlineKind, Due]) -> dict[str, Any]:
    """Deadlines as plain JSON (for read models and pages)."""
    return {kind.value: due.model_dump(mode="json") for kind, due in deadlines.items()}

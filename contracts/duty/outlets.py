"""Outlets (阵地) of eight kinds, each answered for by a post (谁主办谁负责), and coverage gaps.
Published early: outreach builds publications on these events."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field

from contracts.commands import Command, command
from contracts.duty.common import RECORDS, EntityId, Reason
from contracts.inputs import EACH_LATER, InputModel
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath


class OutletKind(StrEnum):
    WEBSITE = "website"  # 门户网站
    WECHAT_ACCOUNT = "wechat_account"  # 微信公众号
    VIDEO_ACCOUNT = "video_account"  # 视频号
    INTERNAL_PUBLICATION = "internal_publication"  # 内部刊物
    BULLETIN_BOARD = "bulletin_board"  # 宣传栏
    ELECTRONIC_SCREEN = "electronic_screen"  # 电子屏
    READING_CORNER = "reading_corner"  # 红色书屋 / 党史角
    LECTURE_HALL = "lecture_hall"  # 讲堂


class OutletStatus(StrEnum):
    ACTIVE = "active"  # 运行
    SUSPENDED = "suspended"  # 暂停
    CLOSED = "closed"  # 关停 (final)


@event("duty.outlet_registered")
class OutletRegistered(DomainEvent):
    """An outlet starts running under a unit, answered for by the holder of ``owner_post_id``."""

    outlet_id: EntityId
    unit: UnitPath
    kind: OutletKind
    name: str = Field(min_length=1, max_length=100)
    owner_post_id: EntityId
    address: str | None = Field(default=None, max_length=300, description="URL, account id or place")
    effective_on: date = Field(description="local date (Asia/Shanghai) from which it runs")


@event("duty.outlet_status_changed")
class OutletStatusChanged(DomainEvent):
    outlet_id: EntityId
    unit: UnitPath
    status: OutletStatus
    reason: Reason
    effective_on: date


@event("duty.outlet_owner_changed")
class OutletOwnerChanged(DomainEvent):
    """谁主办谁负责: the outlet now answers to another post (a single move or part of a hand-over)."""

    outlet_id: EntityId
    unit: UnitPath
    from_post_id: EntityId
    to_post_id: EntityId
    reason: Reason
    effective_on: date
    handover_id: str | None = Field(default=None, max_length=64, description="set when moved by a hand-over")


class GapResolution(StrEnum):
    HANDED_OVER = "handed_over"  # the outlet now answers to another, filled post
    POST_FILLED = "post_filled"  # someone took up the owning post again
    OUTLET_CLOSED = "outlet_closed"  # nothing left to answer for


@event("duty.outlet_coverage_gap_opened")
class OutletCoverageGapOpened(DomainEvent):
    """The post that owns the outlet fell vacant: nobody answers for it until the gap closes."""

    outlet_id: EntityId
    unit: UnitPath
    post_id: EntityId
    effective_on: date


@event("duty.outlet_coverage_gap_closed")
class OutletCoverageGapClosed(DomainEvent):
    outlet_id: EntityId
    unit: UnitPath
    post_id: EntityId  # the post answering for the outlet from now on
    resolution: GapResolution
    effective_on: date


@event("duty.outlet_relocated")
class OutletRelocated(DomainEvent):
    """The outlet's unit moved to a new path (a merge or split), or the outlet went with a merged unit."""

    outlet_id: EntityId
    from_unit: UnitPath
    to_unit: UnitPath
    effective_on: date


class OutletCommand(Command):
    outlet_id: EntityId
    unit: UnitPath


@command("duty.register_outlet", roles=RECORDS)
class RegisterOutlet(OutletCommand):
    kind: OutletKind
    name: str = Field(min_length=1, max_length=100)
    owner_post_id: EntityId
    address: str | None = Field(default=None, max_length=300, description="URL, account id or place")
    effective_on: date


class OutletRow(InputModel):
    """One row of a bulk registration: the fields of RegisterOutlet; its own outlet_id names it."""

    model_config = ConfigDict(str_strip_whitespace=True)

    row: int | None = Field(default=None, ge=1, description="row number in the source file, for the report")
    outlet_id: EntityId
    unit: UnitPath
    kind: OutletKind
    name: str = Field(min_length=1, max_length=100)
    owner_post_id: EntityId
    address: str | None = Field(default=None, max_length=300, description="URL, account id or place")
    effective_on: date


MAX_OUTLET_ROWS = 500


@command("duty.register_outlets", roles=RECORDS)
class RegisterOutlets(Command):
    """Up to 500 outlets, each row checked on its own as RegisterOutlet (see OutletRow): a bad row is
    reported and skipped, good rows are kept, an outlet already registered the same way is reported as a
    duplicate (registered differently, it fails on outlet_id)."""

    max_bytes: ClassVar[int] = 512 * 1024
    unit: UnitPath = Field(description="every row's unit must lie in this unit's subtree")
    rows: Annotated[list[Any], EACH_LATER] = Field(
        min_length=1, max_length=MAX_OUTLET_ROWS, description="objects with the fields of OutletRow"
    )


@command("duty.change_outlet_status", roles=RECORDS)
class ChangeOutletStatus(OutletCommand):
    status: OutletStatus
    reason: Reason
    effective_on: date


@command("duty.change_outlet_owner", roles=RECORDS)
class ChangeOutletOwner(OutletCommand):
    to_post_id: EntityId
    reason: Reason
    effective_on: date

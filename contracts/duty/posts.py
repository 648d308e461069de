"""Posts, the people who fill them, dual-duty oversight links (一岗双责) and hand-over (交接)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field

from contracts.commands import Command, command
from contracts.duty.common import HANDOVER, STRUCTURE, EntityId, PersonName, Reason, StaffNo
from contracts.inputs import EACH_LATER, InputModel
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath


class PostKind(StrEnum):
    FIRST_RESPONSIBLE = "first_responsible"  # 第一责任人
    LEADER_IN_CHARGE = "leader_in_charge"  # 分管领导 (直接责任, 一岗双责)
    DEPARTMENT_HEAD = "department_head"  # 科室负责人
    BRANCH_SECRETARY = "branch_secretary"  # 支部书记
    INFORMATION_OFFICER = "information_officer"  # 信息宣传员
    LEADING_GROUP_MEMBER = "leading_group_member"  # 领导小组成员 (主体责任)
    GROUP_OFFICE_MEMBER = "group_office_member"  # 领导小组办公室成员
    WINDOW_POST = "window_post"  # 意识形态岗: an ideology post at a service window


PostTitle = Field(min_length=1, max_length=100, description="e.g. 党组书记、局长")


class PostCommand(Command):
    post_id: EntityId
    unit: UnitPath


@command("duty.create_post", roles=STRUCTURE)
class CreatePost(PostCommand):
    kind: PostKind
    title: str = PostTitle
    effective_on: date | None = Field(default=None, description="omitted: existed before records began")


@command("duty.fill_post", roles=STRUCTURE)
class FillPost(PostCommand):
    staff_no: StaffNo
    person_name: PersonName
    effective_on: date


class PostHolder(InputModel):
    """Who holds a post in a bulk register, and since when."""

    model_config = ConfigDict(str_strip_whitespace=True)
    staff_no: StaffNo
    person_name: PersonName
    since: date


class PostRow(InputModel):
    """One row of a bulk register of posts: CreatePost's fields, and FillPost's as ``holder`` if held."""

    model_config = ConfigDict(str_strip_whitespace=True)
    row: int | None = Field(default=None, ge=1, description="row number in the source file, for the report")
    post_id: EntityId
    unit: UnitPath
    kind: PostKind
    title: str = PostTitle
    effective_on: date | None = Field(default=None, description="omitted: existed before records began")
    holder: PostHolder | None = Field(default=None, description="omitted: the post is vacant")


MAX_POST_ROWS = 500


@command("duty.register_posts", roles=STRUCTURE)
class RegisterPosts(Command):
    """Up to 500 posts (a unit's responsibility list), each row created by create_post's rules and, with
    a holder, filled by fill_post's: a bad row is reported and skipped, good rows are kept, a post already
    there as the row says is reported as a duplicate (there otherwise, it fails on post_id)."""

    max_bytes: ClassVar[int] = 512 * 1024
    unit: UnitPath = Field(description="every row's unit must lie in this unit's subtree")
    rows: Annotated[list[Any], EACH_LATER] = Field(
        min_length=1, max_length=MAX_POST_ROWS, description="objects with the fields of PostRow"
    )


@command("duty.vacate_post", roles=STRUCTURE)
class VacatePost(PostCommand):
    effective_on: date
    reason: Reason


@command("duty.abolish_post", roles=STRUCTURE)
class AbolishPost(PostCommand):
    effective_on: date
    reason: Reason


@command("duty.assign_oversight", roles=STRUCTURE)
class AssignOversight(PostCommand):
    """一岗双责: a leader in charge answers for the sections they oversee."""

    section: UnitPath
    effective_on: date


@command("duty.revoke_oversight", roles=STRUCTURE)
class RevokeOversight(PostCommand):
    section: UnitPath
    effective_on: date
    reason: Reason


@command("duty.hand_over", roles=HANDOVER)
class HandOver(Command):
    """交接: every outlet (and, for leaders in charge, every overseen section) of one post to another."""

    handover_id: EntityId
    from_post_id: EntityId
    unit: UnitPath
    to_post_id: EntityId
    move_oversight: bool = True
    effective_on: date
    reason: Reason


@event("duty.post_created")
class PostCreated(DomainEvent):
    post_id: EntityId
    unit: UnitPath
    kind: PostKind
    title: str = PostTitle
    effective_on: date | None = None


@event("duty.post_filled")
class PostFilled(DomainEvent):
    post_id: EntityId
    unit: UnitPath
    kind: PostKind
    staff_no: StaffNo
    person_name: PersonName
    effective_on: date


@event("duty.post_vacated")
class PostVacated(DomainEvent):
    post_id: EntityId
    unit: UnitPath
    kind: PostKind
    staff_no: StaffNo
    person_name: PersonName
    effective_on: date
    reason: Reason


@event("duty.post_abolished")
class PostAbolished(DomainEvent):
    post_id: EntityId
    unit: UnitPath
    effective_on: date
    reason: Reason


@event("duty.post_relocated")
class PostRelocated(DomainEvent):
    """The post's unit moved to a new path (a merge or split); holder and duties stay."""

    post_id: EntityId
    from_unit: UnitPath
    to_unit: UnitPath
    effective_on: date


@event("duty.duty_assigned")
class DutyAssigned(DomainEvent):
    post_id: EntityId
    unit: UnitPath
    section: UnitPath
    effective_on: date
    handover_id: str | None = Field(default=None, max_length=64)


@event("duty.duty_revoked")
class DutyRevoked(DomainEvent):
    post_id: EntityId
    unit: UnitPath
    section: UnitPath
    effective_on: date
    reason: Reason


@event("duty.duty_handed_over")
class DutyHandedOver(DomainEvent):
    handover_id: EntityId
    from_post_id: EntityId
    unit: UnitPath
    to_post_id: EntityId
    to_unit: UnitPath
    outlets: list[EntityId]
    sections: list[UnitPath]
    effective_on: date
    reason: Reason

"""Outreach context, the activity taxonomy: subtypes of each activity kind, kept as data the city extends
by command (现场教学 at a red education base, 民政青年说, 青年理论学习小组, 红色电影进养老院, 警示教育 …),
so that a new subtype needs no release. Every change raises the city's taxonomy version by one."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.commands import Command, Role, command
from contracts.outreach import ActivityKind, Reason, SubtypeCode
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath

SubtypeName = Annotated[str, Field(min_length=1, max_length=60, description="the name shown, e.g. 现场教学")]
TAXONOMY_ROLES = frozenset({Role.ADMIN, Role.LEADER})


@command("outreach.define_activity_subtype", roles=TAXONOMY_ROLES)
class DefineActivitySubtype(Command):
    """Add a subtype to an activity kind, or rename one (a rename needs a reason)."""

    unit: UnitPath = Field(description="the city whose taxonomy it is (a one-level path)")
    kind: ActivityKind
    subtype: SubtypeCode
    name: SubtypeName
    reason: Reason | None = Field(default=None, description="required when renaming")


@event("outreach.activity_subtype_defined")
class ActivitySubtypeDefined(DomainEvent):
    unit: UnitPath
    kind: ActivityKind
    subtype: str
    name: str
    reason: str | None = None
    taxonomy_version: int = Field(ge=1, description="the city's taxonomy version this change made")


@command("outreach.retire_activity_subtype", roles=TAXONOMY_ROLES)
class RetireActivitySubtype(Command):
    """No new activity may take the subtype; those that have it keep it and are still counted."""

    unit: UnitPath = Field(description="the city whose taxonomy it is (a one-level path)")
    kind: ActivityKind
    subtype: SubtypeCode
    reason: Reason


@event("outreach.activity_subtype_retired")
class ActivitySubtypeRetired(DomainEvent):
    unit: UnitPath
    kind: ActivityKind
    subtype: str
    reason: str
    taxonomy_version: int = Field(ge=1)

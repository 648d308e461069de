"""Types shared by the duty contracts: roles per kind of command, bounded ids and texts, unit kinds."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from contracts.commands import Role
from contracts.inputs import MULTILINE, InputModel

STRUCTURE = frozenset({Role.ADMIN})  # units and posts: the personnel / organization office
RECORDS = frozenset({Role.CLERK})  # outlets and inspections: the clerks who run them
HANDOVER = frozenset({Role.ADMIN, Role.CLERK})  # a coverage gap must be closable by either
SIGN_OFF = frozenset({Role.LEADER})  # closing a rectification is a leader's sign-off

EntityId = Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Reason = Annotated[str, Field(min_length=1, max_length=500), MULTILINE]
LongText = Annotated[str, Field(min_length=1, max_length=1000), MULTILINE]
Summary = Annotated[str, Field(max_length=2000), MULTILINE]
PersonName = Annotated[str, Field(min_length=1, max_length=50)]
StaffNo = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class UnitKind(StrEnum):
    BUREAU = "bureau"  # 市民政局
    COUNTY_OFFICE = "county_office"  # 县(区)民政局
    TOWNSHIP_OFFICE = "township_office"  # 乡镇(街道)
    DEPARTMENT = "department"  # 科室
    AFFILIATED_INSTITUTION = "affiliated_institution"  # 局属事业单位
    BRANCH = "branch"  # 党支部
    SOCIAL_ORGANIZATION = "social_organization"  # 社会组织


UnitName = Field(min_length=1, max_length=100)


class Frozen(InputModel):
    """Frozen, unknown fields refused; the door's rules when it comes from outside (contracts.inputs)."""

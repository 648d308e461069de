"""Duty context: org units (and, in later issues, posts, outlets and inspections)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from contracts.commands import Command, Role, command
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath


class UnitKind(StrEnum):
    BUREAU = "bureau"  # 市民政局
    COUNTY_OFFICE = "county_office"  # 县(区)民政局
    TOWNSHIP_OFFICE = "township_office"  # 乡镇(街道)
    DEPARTMENT = "department"  # 科室
    AFFILIATED_INSTITUTION = "affiliated_institution"  # 局属事业单位
    BRANCH = "branch"  # 党支部
    SOCIAL_ORGANIZATION = "social_organization"  # 社会组织


UnitName = Field(min_length=1, max_length=100)


@command("duty.register_unit", roles=frozenset({Role.ADMIN}))
class RegisterUnit(Command):
    path: UnitPath
    name: str = UnitName
    kind: UnitKind

    def target_unit(self) -> str:
        return self.path


@event("duty.unit_registered")
class UnitRegistered(DomainEvent):
    path: UnitPath
    name: str = UnitName
    kind: UnitKind
    parent: UnitPath | None = None

"""Org units: registration, renames, and township merges and splits (撤并) that keep history."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from contracts.commands import Command, command
from contracts.duty.common import STRUCTURE, Frozen, Reason, UnitKind, UnitName
from contracts.registry import DomainEvent, event, upcaster
from contracts.units import UnitPath, parent_of


@command("duty.register_unit", roles=STRUCTURE)
class RegisterUnit(Command):
    path: UnitPath
    name: str = UnitName
    kind: UnitKind
    effective_on: date | None = Field(default=None, description="omitted: existed before records began")

    def target_unit(self) -> str:
        return self.path


@command("duty.rename_unit", roles=STRUCTURE)
class RenameUnit(Command):
    path: UnitPath
    name: str = UnitName
    effective_on: date
    reason: Reason

    def target_unit(self) -> str:
        return self.path


def _parent_or_self(path: str) -> str:
    return parent_of(path) or path


@command("duty.merge_units", roles=STRUCTURE)
class MergeUnits(Command):
    """撤并: ``absorbed`` is retired and its sub-units move under ``into`` (a sibling of the same kind)."""

    absorbed: UnitPath
    into: UnitPath
    effective_on: date
    reason: Reason

    @model_validator(mode="after")
    def _distinct(self) -> MergeUnits:
        if self.absorbed == self.into:
            raise ValueError("a unit cannot be merged into itself")
        return self

    def target_unit(self) -> str:
        return _parent_or_self(self.absorbed)


@command("duty.split_unit", roles=STRUCTURE)
class SplitUnit(Command):
    """析出: a new sibling unit is carved out of ``source``, taking the listed sub-units; ``source`` goes on."""

    source: UnitPath
    new_path: UnitPath
    new_name: str = UnitName
    moved_units: list[UnitPath] = Field(default_factory=list, max_length=200)
    effective_on: date
    reason: Reason

    def target_unit(self) -> str:
        return _parent_or_self(self.source)


class UnitMove(Frozen):
    from_path: UnitPath
    to_path: UnitPath


@event("duty.unit_registered", version=2)
class UnitRegistered(DomainEvent):
    path: UnitPath
    name: str = UnitName
    kind: UnitKind
    parent: UnitPath | None = None
    effective_on: date | None = None  # None: existed before records began
    previous_path: UnitPath | None = None  # set when the unit moved here in a merge or split


@upcaster("duty.unit_registered", 1)
def _unit_registered_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "effective_on": None, "previous_path": None}


@event("duty.unit_renamed")
class UnitRenamed(DomainEvent):
    path: UnitPath
    name: str = UnitName
    previous_name: str = UnitName
    effective_on: date
    reason: Reason


@event("duty.unit_retired")
class UnitRetired(DomainEvent):
    """The path stops answering from ``effective_on``; ``successor`` continues its work."""

    path: UnitPath
    successor: UnitPath | None
    effective_on: date
    reason: Reason


@event("duty.units_merged")
class UnitsMerged(DomainEvent):
    absorbed: UnitPath
    into: UnitPath
    moved_units: list[UnitMove]
    effective_on: date
    reason: Reason


@event("duty.unit_split")
class UnitSplit(DomainEvent):
    source: UnitPath
    new_unit: UnitPath
    moved_units: list[UnitMove]
    effective_on: date
    reason: Reason

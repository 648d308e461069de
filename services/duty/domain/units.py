"""Org units: registration under a known parent, kinds that fit where a unit sits, renames."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts.duty import (
    RegisterUnit,
    RenameUnit,
    UnitKind,
    UnitRegistered,
    UnitRenamed,
    UnitRetired,
    UnitsMerged,
    UnitSplit,
)
from contracts.registry import DomainEvent
from contracts.units import Level, level_of, parent_of
from services.duty.domain.common import check_effective
from services.eventkit.errors import AlreadyExists, DomainError, NotFound


@dataclass(frozen=True)
class Unit:
    path: str | None = None
    name: str | None = None
    kind: UnitKind | None = None
    parent: str | None = None
    retired_on: date | None = None
    successor: str | None = None
    last_effective: date | None = None

    @property
    def registered(self) -> bool:
        return self.path is not None

    @property
    def active(self) -> bool:
        return self.registered and self.retired_on is None


def evolve_unit(unit: Unit, event: DomainEvent) -> Unit:
    if isinstance(event, UnitRegistered):
        return Unit(event.path, event.name, event.kind, event.parent, last_effective=event.effective_on)
    if isinstance(event, UnitRenamed):
        return replace(unit, name=event.name, last_effective=event.effective_on)
    if isinstance(event, UnitRetired):
        return replace(
            unit, retired_on=event.effective_on, successor=event.successor, last_effective=event.effective_on
        )
    if isinstance(event, UnitsMerged | UnitSplit):
        return replace(unit, last_effective=event.effective_on)
    return unit


OFFICE_KIND = {
    Level.CITY: UnitKind.BUREAU,
    Level.COUNTY: UnitKind.COUNTY_OFFICE,
    Level.TOWNSHIP: UnitKind.TOWNSHIP_OFFICE,
}
OFFICE_KINDS = frozenset(OFFICE_KIND.values())
SECTION_KINDS = frozenset(UnitKind) - OFFICE_KINDS


def expected_kinds(path: str) -> frozenset[UnitKind]:
    """A division-code path is an office of its level; a local code below it is a section of some kind."""
    is_office = path.rsplit(".", maxsplit=1)[-1].isdigit()
    return frozenset({OFFICE_KIND[level_of(path)]}) if is_office else SECTION_KINDS


def describe(unit: Unit) -> str:
    return f"{unit.name} ({unit.path})" if unit.name else str(unit.path)


def check_active(unit: Unit | None, path: str, field: str) -> Unit:
    """The unit, registered and not retired, or a refusal that says which."""
    if unit is None or not unit.registered:
        raise NotFound(f"unit {path} is not registered", field=field)
    if unit.retired_on is not None:
        where = f"; it continues as {unit.successor}" if unit.successor else ""
        raise DomainError(f"unit {describe(unit)} was retired on {unit.retired_on}{where}", field=field)
    return unit


def decide_register_unit(
    unit: Unit, parent: Unit | None, command: RegisterUnit, today: date
) -> list[DomainEvent]:
    """Register a unit once, under an active registered parent, with a kind that fits where it sits."""
    if unit.registered:
        retired = f" (retired on {unit.retired_on})" if unit.retired_on else ""
        raise AlreadyExists(
            f"unit {command.path} is already registered as {unit.name}{retired}", field="path"
        )
    parent_path = parent_of(command.path)
    if parent_path is not None:
        if parent is None or not parent.registered:
            raise NotFound(
                f"the parent unit {parent_path} is not registered yet; register it first", field="path"
            )
        check_active(parent, parent_path, "path")
    allowed = expected_kinds(command.path)
    if command.kind not in allowed:
        names = ", ".join(sorted(allowed))
        raise DomainError(f"a unit at {command.path} must be of kind {names}", field="kind")
    if command.effective_on is not None:
        check_effective(command.effective_on, today, None, f"unit {command.path}")
    return [
        UnitRegistered(
            path=command.path,
            name=command.name,
            kind=command.kind,
            parent=parent_path,
            effective_on=command.effective_on,
        )
    ]


def decide_rename_unit(unit: Unit, command: RenameUnit, today: date) -> list[DomainEvent]:
    """A new name from a date on; the old name still answers for dates before it."""
    check_active(unit, command.path, "path")
    if unit.name == command.name:
        raise DomainError(f"unit {command.path} is already named {command.name}", field="name")
    check_effective(command.effective_on, today, unit.last_effective, f"unit {describe(unit)}")
    return [
        UnitRenamed(
            path=command.path,
            name=command.name,
            previous_name=unit.name or command.path,
            effective_on=command.effective_on,
            reason=command.reason,
        )
    ]

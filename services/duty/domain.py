"""Duty rules, pure: no I/O, no clock. Org units for now (posts, outlets and inspections follow)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from contracts.duty import RegisterUnit, UnitKind, UnitRegistered
from contracts.registry import DomainEvent
from contracts.units import Level, level_of, parent_of
from services.eventkit.errors import AlreadyExists, DomainError, NotFound


@dataclass(frozen=True)
class Unit:
    path: str | None = None
    name: str | None = None
    kind: UnitKind | None = None

    @property
    def registered(self) -> bool:
        return self.path is not None


def evolve_unit(unit: Unit, event: DomainEvent) -> Unit:
    if isinstance(event, UnitRegistered):
        return replace(unit, path=event.path, name=event.name, kind=event.kind)
    return unit


OFFICE_KIND = {
    Level.CITY: UnitKind.BUREAU,
    Level.COUNTY: UnitKind.COUNTY_OFFICE,
    Level.TOWNSHIP: UnitKind.TOWNSHIP_OFFICE,
}
SECTION_KINDS = frozenset(UnitKind) - frozenset(OFFICE_KIND.values())


def expected_kinds(path: str) -> frozenset[UnitKind]:
    """A division-code path is an office of its level; a local code below it is a section of some kind."""
    is_office = path.rsplit(".", maxsplit=1)[-1].isdigit()
    return frozenset({OFFICE_KIND[level_of(path)]}) if is_office else SECTION_KINDS


def decide_register_unit(unit: Unit, parent: Unit | None, command: RegisterUnit) -> list[DomainEvent]:
    """Register a unit once, under a registered parent, with a kind that fits where it sits."""
    if unit.registered:
        raise AlreadyExists(f"unit {command.path} is already registered as {unit.name}", field="path")
    parent_path = parent_of(command.path)
    if parent_path is not None and (parent is None or not parent.registered):
        raise NotFound(
            f"the parent unit {parent_path} is not registered yet; register it first", field="path"
        )
    allowed = expected_kinds(command.path)
    if command.kind not in allowed:
        names = ", ".join(sorted(allowed))
        raise DomainError(f"a unit at {command.path} must be of kind {names}", field="kind")
    return [UnitRegistered(path=command.path, name=command.name, kind=command.kind, parent=parent_path)]

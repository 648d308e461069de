"""Activity taxonomy rules, pure: a city's subtypes per activity kind, defined, renamed and retired by
command; every change is a new taxonomy version. An activity may name a subtype only if it is current."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from contracts.outreach import ActivityKind
from contracts.outreach_taxonomy import (
    ActivitySubtypeDefined,
    ActivitySubtypeRetired,
    DefineActivitySubtype,
    RetireActivitySubtype,
)
from contracts.registry import DomainEvent
from contracts.units import parent_of
from services.eventkit.errors import AlreadyExists, DomainError, NotFound

SubtypeKey = tuple[ActivityKind, str]


@dataclass(frozen=True)
class Taxonomy:
    """One city's activity subtypes: the current ones with their names, and those retired."""

    version: int = 0
    names: Mapping[SubtypeKey, str] = field(default_factory=dict)
    retired: frozenset[SubtypeKey] = frozenset()


def evolve_taxonomy(taxonomy: Taxonomy, event: DomainEvent) -> Taxonomy:
    if isinstance(event, ActivitySubtypeDefined):
        key = (event.kind, event.subtype)
        return replace(
            taxonomy,
            version=event.taxonomy_version,
            names={**taxonomy.names, key: event.name},
            retired=taxonomy.retired - {key},
        )
    if isinstance(event, ActivitySubtypeRetired):
        key = (event.kind, event.subtype)
        return replace(taxonomy, version=event.taxonomy_version, retired=taxonomy.retired | {key})
    return taxonomy


def city_of(unit: str) -> str:
    """The city whose taxonomy a unit's activities use: the first step of its path."""
    return unit.split(".", 1)[0]


def _check_city(unit: str, unit_known: bool) -> None:
    if parent_of(unit) is not None:
        raise DomainError(f"{unit} is not a city: the taxonomy is the city's", field="unit")
    if not unit_known:
        raise NotFound(f"unit {unit} is not registered", field="unit")


def decide_define_subtype(
    taxonomy: Taxonomy, unit_known: bool, command: DefineActivitySubtype
) -> list[DomainEvent]:
    """Add a subtype, rename one (with a reason), or bring a retired one back; the same twice is a conflict."""
    _check_city(command.unit, unit_known)
    key = (command.kind, command.subtype)
    current = taxonomy.names.get(key)
    if current == command.name and key not in taxonomy.retired:
        raise AlreadyExists(
            f"{command.kind.value}/{command.subtype} is already {command.name}", field="subtype"
        )
    if current is not None and current != command.name and not command.reason:
        raise DomainError(f"renaming {current} to {command.name} needs a reason", field="reason")
    taken = {name for other, name in taxonomy.names.items() if other[0] == command.kind and other != key}
    if command.name in taken:
        raise AlreadyExists(f"{command.kind.value} already has a subtype named {command.name}", field="name")
    defined = ActivitySubtypeDefined(
        unit=command.unit,
        kind=command.kind,
        subtype=command.subtype,
        name=command.name,
        reason=command.reason,
        taxonomy_version=taxonomy.version + 1,
    )
    return [defined]


def decide_retire_subtype(
    taxonomy: Taxonomy, unit_known: bool, command: RetireActivitySubtype
) -> list[DomainEvent]:
    """Retire a current subtype: activities already holding it keep it."""
    _check_city(command.unit, unit_known)
    key = (command.kind, command.subtype)
    if key not in taxonomy.names:
        raise NotFound(f"{command.kind.value} has no subtype {command.subtype}", field="subtype")
    if key in taxonomy.retired:
        raise AlreadyExists(f"{command.kind.value}/{command.subtype} is already retired", field="subtype")
    retired = ActivitySubtypeRetired(
        unit=command.unit,
        kind=command.kind,
        subtype=command.subtype,
        reason=command.reason,
        taxonomy_version=taxonomy.version + 1,
    )
    return [retired]


def check_subtype(taxonomy: Taxonomy, kind: ActivityKind, subtype: str | None) -> None:
    """An activity's subtype, if it names one, must be a current subtype of its kind."""
    if subtype is None:
        return
    key = (kind, subtype)
    if key not in taxonomy.names:
        raise DomainError(
            f"{kind.value} has no subtype {subtype} (define it first)",
            field="subtype",
            rule="subtype_unknown",
            params={"kind": kind.value, "subtype": subtype},
        )
    if key in taxonomy.retired:
        raise DomainError(
            f"the subtype {kind.value}/{subtype} is retired",
            field="subtype",
            rule="subtype_retired",
            params={"kind": kind.value, "subtype": subtype},
        )

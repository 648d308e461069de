"""Scoring schemes, pure: adopting a version (a year's indicator tree, weights and rules as data)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.assessment import (
    AdoptScheme,
    Scheme,
    SchemeAdopted,
)
from contracts.registry import DomainEvent
from contracts.units import division_codes
from services.eventkit.errors import DomainError


@dataclass(frozen=True)
class SchemeBook:
    """The versions adopted for one year; the newest is in force for periods not yet published."""

    versions: tuple[Scheme, ...] = ()

    @property
    def current(self) -> tuple[int, Scheme] | None:
        return (len(self.versions), self.versions[-1]) if self.versions else None


def evolve_schemes(book: SchemeBook, event: DomainEvent) -> SchemeBook:
    if isinstance(event, SchemeAdopted):
        return SchemeBook((*book.versions, event.scheme))
    return book


def decide_adopt(book: SchemeBook, command: AdoptScheme) -> list[DomainEvent]:
    if division_codes(command.unit) != [command.unit]:
        raise DomainError("a scheme is adopted by the city, for the whole city", "body.unit")
    if book.versions and command.reason is None:
        raise DomainError(
            f"a scheme is already in force for {command.year} (version {len(book.versions)}): give a reason "
            "to replace it",
            "body.reason",
        )
    if book.versions and book.versions[-1] == command.scheme:
        return []  # the same scheme again changes nothing
    return [
        SchemeAdopted(
            unit=command.unit,
            year=command.year,
            scheme_version=len(book.versions) + 1,
            scheme=command.scheme,
            reason=command.reason,
        )
    ]

"""What every duty rule shares: stream names, decisions spanning several aggregates, date checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts.registry import DomainEvent
from contracts.units import division_codes, is_within
from services.eventkit.errors import DomainError, NotFound


@dataclass(frozen=True)
class Change:
    """Events for one aggregate, decided together with changes to others (appended atomically)."""

    stream: str
    unit: str  # the unit path the events are published under
    events: tuple[DomainEvent, ...]


def change(stream: str, unit: str, *events: DomainEvent) -> Change:
    return Change(stream, unit, tuple(events))


def unit_stream(path: str) -> str:
    return f"unit:{path}"


def post_stream(post_id: str) -> str:
    return f"post:{post_id}"


def outlet_stream(outlet_id: str) -> str:
    return f"outlet:{outlet_id}"


def inspection_stream(inspection_id: str) -> str:
    return f"inspection:{inspection_id}"


def rectification_stream(rectification_id: str) -> str:
    return f"rectification:{rectification_id}"


def cadence_stream(city: str) -> str:
    return f"cadence:{city}"


def report_key(unit: str, half_year: str) -> str:
    return f"{unit}:{half_year}"


def report_stream(key: str) -> str:
    """One unit's report on one half-year (``key`` from report_key)."""
    return f"half_year_report:{key}"


def organization_stream(path: str) -> str:
    return f"organization:{path}"


def county_of(path: str) -> str:
    """The county a unit belongs to (the city for city-level units): ``3205.320506``."""
    return ".".join(division_codes(path)[:2])


def check_effective(
    effective_on: date, today: date, last: date | None, what: str, field: str = "effective_on"
) -> None:
    """A change is recorded once it holds, and never before the last change of the same record."""
    if effective_on > today:
        raise DomainError(
            f"{effective_on} is in the future (today is {today}); record the change once it takes effect",
            field=field,
            rule="date_in_future",
            params={"date": effective_on, "today": today},
        )
    if last is not None and effective_on < last:
        raise DomainError(
            f"{what} last changed on {last}; a later change cannot take effect earlier ({effective_on})",
            field=field,
            rule="effective_before_last",
            params={"last": last},
        )


def latest(dates: Iterable[date | None]) -> date | None:
    known = [day for day in dates if day is not None]
    return max(known) if known else None


def check_acts_through(record_unit: str | None, unit: str, what: str) -> None:
    """Commands name the unit they act through: the record's own unit or one above it."""
    if record_unit is None or not is_within(record_unit, unit):
        raise NotFound(f"{what} is not in unit {unit} or any unit below it", field="unit")


class ChangeSet:
    """Collects events per stream in order, so one stream touched twice still gets one decision."""

    def __init__(self) -> None:
        self._streams: dict[str, tuple[str, list[DomainEvent]]] = {}

    def add(self, stream: str, unit: str, *events: DomainEvent) -> None:
        _, found = self._streams.get(stream, (unit, []))
        self._streams[stream] = (unit, [*found, *events])

    def changes(self) -> list[Change]:
        return [
            Change(stream, unit, tuple(events)) for stream, (unit, events) in self._streams.items() if events
        ]

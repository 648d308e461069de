"""A unit's life as a write-side service knows it from duty's events (services/eventkit/knownunits.py keeps
the table), and the rule every fact about a unit shares, pure: nothing dated from the day a unit was
merged away or retired is recorded for it; its history before stays its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.eventkit.errors import DomainError


@dataclass(frozen=True)
class KnownUnit:
    path: str
    parent: str | None
    name: str
    kind: str
    valid_from: date | None
    valid_to: date | None
    successor: str | None

    def active_on(self, day: date) -> bool:
        """Registered by ``day`` (or before records began) and not retired by then."""
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_to is None or self.valid_to > day)


def check_not_retired(unit: KnownUnit, day: date, successor: str | None, field: str) -> None:
    """Refuse a fact of ``day`` for a unit merged away or retired by then, saying where its work goes now
    (``successor``); a fact dated before stays the unit's own history."""
    if unit.valid_to is None or unit.valid_to > day:
        return
    params: dict[str, object] = {"unit": unit.path, "name": unit.name, "date": unit.valid_to, "day": day}
    if successor is not None:
        raise DomainError(
            f"unit {unit.path} ({unit.name}) was merged into {successor} on {unit.valid_to}:"
            f" record what happened from then on under {successor}",
            field=field,
            rule="unit_merged_away",
            params=params | {"successor": successor},
        )
    raise DomainError(
        f"unit {unit.path} ({unit.name}) was retired on {unit.valid_to}",
        field=field,
        rule="unit_retired",
        params=params,
    )

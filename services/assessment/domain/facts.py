"""Facts: what assessment has learned from the other services' events, in the shape scoring reads.

Pure: no I/O. A fact is keyed by its subject (``activity:a-17``); later events about the same subject
replace it (a corrected activity moves, a closed rectification turns on time or late) and add their
event ids, so every point can name the events behind it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from contracts.assessment import INTERVAL_METRICS, Metric, Selector
from contracts.outreach import Cadence
from contracts.units import ancestors_and_self, division_codes, is_office
from services.eventkit.periods import Period, period_of, periods_in

AttrValue = str | int | bool


@dataclass(frozen=True)
class Fact:
    subject: str
    metric: Metric
    unit: str
    on_date: date
    attrs: Mapping[str, AttrValue] = field(default_factory=dict)
    events: tuple[str, ...] = ()
    until: date | None = None  # interval facts (outlets, coverage gaps): alive on_date ≤ day < until

    def matches(self, selector: Selector) -> bool:
        return self.metric == selector.metric and all(
            self.attrs.get(key) == value for key, value in selector.where.items()
        )

    def alive_on(self, day: date) -> bool:
        return self.on_date <= day and (self.until is None or day < self.until)


@dataclass(frozen=True)
class Target:
    """An outreach target: at least ``count`` activities of ``kind`` per ``cadence`` period."""

    kind: str
    cadence: Cadence
    count: int


def scored_unit_of(path: str) -> str:
    """The scored unit a fact belongs to: the office whose division code it carries (a section's facts
    count for its bureau, a township's own for the township)."""
    return ".".join(division_codes(path))


def is_scored_unit(path: str) -> bool:
    """City, county and township offices are scored; sections and branches count for their office."""
    return is_office(path)


def units_counting(path: str) -> list[str]:
    """Every unit whose score a fact of ``path`` can change: its office and the offices above it, and the
    sections between its office and itself (a section is scored on its own facts where a scheme says so)."""
    return list(ancestors_and_self(path))  # the offices lead the path, the sections follow them


def periods_touched(fact: Fact) -> list[Period]:
    """The periods whose score a fact can change: the month, quarter and year it falls in; for a state
    over time (an outlet, a coverage gap), every period of its years that ends on or after it began."""
    if fact.metric not in INTERVAL_METRICS:
        return [period_of(fact.on_date, cadence) for cadence in Cadence]
    return [
        period
        for year in range(fact.on_date.year, (fact.until or fact.on_date).year + 1)
        for cadence in Cadence
        for period in periods_in(year, cadence)
        if period.last_day >= fact.on_date
    ]

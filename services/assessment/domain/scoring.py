"""The scoring rules: a unit's score for a period from its facts and the scheme in force. Pure and
deterministic: the same facts, scheme, manual scores and adjustments give the same score, explained
line by line down to the events behind each point.

How a score is built (the README's "Writing a scheme" says the same for assessors):
1. Each leaf indicator assessed in this period earns 0 … its points (quota, rate, coverage, manual).
2. Indicators not assessed in the period (a quarterly quota in a month, a quota without a target)
   are scaled away: the earned points × full points ÷ applicable points.
3. Deductions (capped) are taken off, bonuses above their threshold (capped) added, then the
   assessors' adjustments; a score never goes below 0.
4. Any veto fact fails the unit (一票否决) whatever its points: it is ranked after every unit not vetoed.
5. A unit with scored units below it: own × rollup.own + mean of its children's totals × rollup.children.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from contracts.assessment import (
    Bonus,
    ChildScore,
    Coverage,
    Deduction,
    Explanation,
    FactRef,
    Line,
    Manual,
    Quota,
    Rate,
    Rollup,
    Scheme,
    UnitScore,
    Veto,
)
from contracts.outreach import Cadence
from services.assessment.domain.facts import Fact
from services.eventkit.periods import MONTHS_IN, Period, periods_in


@dataclass(frozen=True)
class ManualEntry:
    points: float
    note: str
    event_id: str


@dataclass(frozen=True)
class Adjustment:
    points: float
    reason: str
    event_id: str


@dataclass(frozen=True)
class ScoringInput:
    """Everything a unit's own score rests on."""

    unit: str
    period: Period
    scheme: Scheme
    scheme_version: int
    facts: Sequence[Fact]  # the unit's own facts, of any date: scoring picks the period's
    targets: Mapping[
        tuple[str, Cadence], int
    ]  # outreach targets of the period's year: (kind, cadence) → count
    manual: Mapping[str, ManualEntry]  # indicator id → the latest entry
    adjustments: Sequence[Adjustment]


def exact(value: float) -> Fraction:
    """A number as written (0.4 is two fifths, not the binary float nearest it): points are added,
    scaled and weighted exactly, so a half is still a half when it is rounded."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def points(value: float | Fraction) -> float:
    """Points as published: two decimals, halves rounded up (never banker's rounding), from the exact
    value: 33.33 × 100 ÷ 40 = 83.325 is 83.33, though in binary floats it comes to 83.32499…"""
    number = value if isinstance(value, Fraction) else exact(value)
    hundredths = math.floor(abs(number) * 100 + Fraction(1, 2))
    return float(Fraction(hundredths if number >= 0 else -hundredths, 100))


def refs(facts: Sequence[Fact]) -> list[FactRef]:
    return [FactRef(subject=f.subject, on_date=f.on_date, events=list(f.events)) for f in facts]


def in_period(facts: Sequence[Fact], period: Period) -> list[Fact]:
    """The facts whose local date lies in the period. A state over time (an outlet, a coverage gap)
    counts here by the day it began, whether it has ended since or not: closing it later must not
    change an earlier period's score."""
    return [f for f in facts if period.contains(f.on_date)]


def fact_order(fact: Fact) -> tuple[str, str, tuple[str, ...]]:
    return (fact.on_date.isoformat(), fact.subject, fact.events)


def quota_line(leaf: Quota, data: ScoringInput, dated: Sequence[Fact]) -> Line | None:
    """Each ``per`` sub-period on its own: a surplus in January does not make up for a missing February."""
    if MONTHS_IN[leaf.per] > MONTHS_IN[data.period.cadence]:
        return None  # a quarterly requirement is not judged within one month
    required = leaf.required
    if required is None:
        required = data.targets.get((str(leaf.select.where["kind"]), leaf.per))
        if not required:
            return None  # no target set for the unit: nothing to fall short of
    periods = [p for p in periods_in(data.period.year, leaf.per) if data.period.contains(p.first_day)]
    matching = [f for f in dated if f.matches(leaf.select)]
    checks, shortfall = [], 0
    for sub in periods:
        done = sum(1 for f in matching if sub.contains(f.on_date))
        missing = max(0, required - done)
        shortfall += missing
        checks.append({"period": sub.label, "required": required, "done": done, "missing": missing})
    deducted_raw = shortfall * exact(leaf.per_missing)
    deducted = min(exact(leaf.points), deducted_raw)
    return Line(
        id=leaf.id,
        name=leaf.name,
        kind="quota",
        points=points(exact(leaf.points) - deducted),
        max_points=leaf.points,
        inputs={
            "per": leaf.per.value,
            "checks": checks,
            "missing": shortfall,
            "per_missing": leaf.per_missing,
        },
        note=f"{shortfall} missing × {leaf.per_missing} = {points(deducted_raw)} off, at most {leaf.points}",
        facts=refs(matching),
    )


def rate_line(leaf: Rate, dated: Sequence[Fact]) -> Line:
    denominator = [f for f in dated if f.matches(leaf.denominator)]
    numerator = [f for f in denominator if f.matches(leaf.numerator)]
    if denominator:
        earned = exact(leaf.points) * len(numerator) / len(denominator)
        note = f"{len(numerator)}/{len(denominator)}"
    else:
        earned = exact(leaf.points) if leaf.when_none == "full" else Fraction(0)
        note = f"nothing due: {leaf.when_none} points"
    return Line(
        id=leaf.id,
        name=leaf.name,
        kind="rate",
        points=points(earned),
        max_points=leaf.points,
        inputs={"numerator": len(numerator), "denominator": len(denominator)},
        note=note,
        facts=refs(denominator),
    )


def coverage_line(leaf: Coverage, data: ScoringInput) -> Line:
    """The share of the population alive on the period's last day with no gap open that day."""
    day = data.period.last_day
    population = [f for f in data.facts if f.alive_on(day) and f.matches(leaf.population)]
    gaps = [f for f in data.facts if f.alive_on(day) and f.matches(leaf.gaps)]
    uncovered = {str(g.attrs.get("outlet_id")) for g in gaps}
    covered = [f for f in population if f.subject.partition(":")[2] not in uncovered]
    earned = exact(leaf.points) * len(covered) / len(population) if population else exact(leaf.points)
    return Line(
        id=leaf.id,
        name=leaf.name,
        kind="coverage",
        points=points(earned),
        max_points=leaf.points,
        inputs={"as_of": day.isoformat(), "covered": len(covered), "population": len(population)},
        note=f"{len(covered)}/{len(population)} on {day.isoformat()}" if population else "nothing to cover",
        facts=refs(population + gaps),
    )


def manual_line(leaf: Manual, data: ScoringInput) -> Line:
    entry = data.manual.get(leaf.id)
    return Line(
        id=leaf.id,
        name=leaf.name,
        kind="manual",
        points=points(min(exact(entry.points), exact(leaf.points))) if entry else 0.0,
        max_points=leaf.points,
        inputs={"entered": entry.points if entry else None, "event": entry.event_id if entry else None},
        note=entry.note if entry else "not scored yet",
    )


def deduction_line(item: Deduction, dated: Sequence[Fact]) -> Line:
    matching = [f for f in dated if f.matches(item.select)]
    raw = len(matching) * exact(item.per_fact)
    return Line(
        id=item.id,
        name=item.name,
        kind="deduction",
        points=points(-min(exact(item.cap), raw)),
        max_points=item.cap,
        inputs={"facts": len(matching), "per_fact": item.per_fact, "cap": item.cap},
        note=f"{len(matching)} × {item.per_fact}"
        + (f", capped at {item.cap}" if raw > exact(item.cap) else ""),
        facts=refs(matching),
    )


def bonus_line(item: Bonus, dated: Sequence[Fact]) -> Line:
    matching = [f for f in dated if f.matches(item.select)]
    attr = item.measure.sum
    value = sum(int(f.attrs.get(attr, 0)) for f in matching) if attr else len(matching)
    above = max(Fraction(0), value - exact(item.threshold))
    return Line(
        id=item.id,
        name=item.name,
        kind="bonus",
        points=points(min(exact(item.cap), above * exact(item.per_unit))),
        max_points=item.cap,
        inputs={
            "value": float(value),
            "threshold": item.threshold,
            "per_unit": item.per_unit,
            "cap": item.cap,
        },
        note=f"{value:g} − {item.threshold:g} above the threshold" if above else "not above the threshold",
        facts=refs(matching),
    )


def veto_line(item: Veto, dated: Sequence[Fact]) -> Line | None:
    matching = [f for f in dated if f.matches(item.select)]
    if not matching:
        return None
    return Line(id=item.id, name=item.name, kind="veto", points=0.0, note="一票否决", facts=refs(matching))


def leaf_line(
    leaf: Quota | Rate | Coverage | Manual, data: ScoringInput, dated: Sequence[Fact]
) -> Line | None:
    if data.period.cadence not in leaf.periods:
        return None
    if isinstance(leaf, Quota):
        return quota_line(leaf, data, dated)
    if isinstance(leaf, Rate):
        return rate_line(leaf, dated)
    if isinstance(leaf, Coverage):
        return coverage_line(leaf, data)
    return manual_line(leaf, data)


def score_own(data: ScoringInput) -> tuple[float, bool, Explanation]:
    """The unit's own score, whether a veto struck, and the explanation."""
    # Facts in one order whatever order they came in, so the explanation (and the event carrying it)
    # is the same for the same facts.
    data = replace(data, facts=sorted(data.facts, key=fact_order))
    scheme, dated = data.scheme, in_period(data.facts, data.period)
    lines = [line for leaf in scheme.leaves() if (line := leaf_line(leaf, data, dated)) is not None]
    applicable = sum((exact(line.max_points or 0) for line in lines), Fraction(0))
    full = sum((exact(leaf.points) for leaf in scheme.leaves()), Fraction(0))
    scale = full / applicable if applicable else Fraction(0)
    deductions = [deduction_line(item, dated) for item in scheme.deductions]
    bonuses = [bonus_line(item, dated) for item in scheme.bonuses]
    vetoes = [line for item in scheme.vetoes if (line := veto_line(item, dated)) is not None]
    adjustments = [
        Line(
            id=f"adjustment_{i + 1}",
            name=a.reason,
            kind="adjustment",
            points=a.points,
            facts=[],
            note=a.event_id,
        )
        for i, a in enumerate(data.adjustments)
    ]
    earned = sum((exact(line.points) for line in lines), Fraction(0)) * scale
    extra = sum((exact(line.points) for line in (*deductions, *bonuses, *adjustments)), Fraction(0))
    explanation = Explanation(
        scheme_version=data.scheme_version,
        indicators=lines,
        deductions=deductions,
        bonuses=bonuses,
        vetoes=vetoes,
        adjustments=adjustments,
        applicable_points=float(applicable),
        scale=points(scale),
    )
    return points(max(Fraction(0), earned + extra)), bool(vetoes), explanation


def score_unit(data: ScoringInput, children: Sequence[ChildScore]) -> UnitScore:
    """The unit's score: its own, combined with its scored children's as the scheme's roll-up says."""
    own, vetoed, explanation = score_own(data)
    total, rollup = own, data.scheme.rollup
    if children:
        total = rolled_up(own, [child.total for child in children], rollup)
        ordered = sorted(children, key=lambda child: child.unit)
        explanation = explanation.model_copy(
            update={"children": ordered, "rollup": {"own": rollup.own, "children": rollup.children}}
        )
    return UnitScore(
        unit=data.unit, period=data.period.label, own=own, total=total, vetoed=vetoed, explanation=explanation
    )


def rolled_up(own: float, child_totals: Sequence[float], rollup: Rollup) -> float:
    """own × rollup.own + the mean of the children's totals × rollup.children, computed exactly and
    rounded once (80 × 0.3 + 85.15 × 0.7 = 83.605 is 83.61, not the 83.6 binary floats give)."""
    mean = sum((exact(total) for total in child_totals), Fraction(0)) / len(child_totals)
    return points(exact(own) * exact(rollup.own) + mean * exact(rollup.children))


def rank(scores: Sequence[tuple[str, float, bool]]) -> dict[str, int]:
    """Competition ranking among peers (1, 1, 3): higher total first, every vetoed unit after the rest."""
    ordered = sorted(scores, key=lambda s: (s[2], -s[1], s[0]))
    ranks: dict[str, int] = {}
    previous: tuple[bool, float] | None = None
    for position, (unit, total, vetoed) in enumerate(ordered, start=1):
        if previous != (vetoed, total):
            current = position
        ranks[unit] = current
        previous = (vetoed, total)
    return ranks

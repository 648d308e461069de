"""Plans and targets, pure: setting a target, and plan versus actual with shortfalls per period.

A unit's plan for a year holds at most one target per (activity kind, cadence), e.g. central-group
study ≥ 1 a month and outreach talks ≥ 30 a year. Each period is judged on its own: three sessions in
January do not make up for none in February (that is what "at least monthly" means)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from contracts.outreach import ActivityKind, Cadence, SetTarget, TargetScope, TargetSet
from contracts.outreach_meetings import MeetingKind, MeetingTargetSet, SetMeetingTarget
from contracts.outreach_submissions import QuotaMeasure, QuotaSet, SetQuota
from contracts.registry import DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.eventkit.periods import Period, PeriodStatus, periods_in

TargetKey = tuple[ActivityKind, Cadence]
Month = tuple[int, int]  # (year, month) in local time


@dataclass(frozen=True)
class Target:
    kind: ActivityKind | MeetingKind | QuotaMeasure
    cadence: Cadence
    count: int
    audience: int | None
    scope: TargetScope
    revision: int


@dataclass(frozen=True)
class Plan:
    """One unit's targets for one calendar year."""

    targets: Mapping[TargetKey, Target]
    meeting_targets: Mapping[tuple[MeetingKind, Cadence], Target] = field(default_factory=dict)
    quotas: Mapping[tuple[QuotaMeasure, Cadence], Target] = field(default_factory=dict)


def evolve_plan(plan: Plan, event: DomainEvent) -> Plan:
    if isinstance(event, TargetSet):
        target = Target(event.kind, event.cadence, event.count, event.audience, event.scope, event.revision)
        return replace(plan, targets={**plan.targets, (event.kind, event.cadence): target})
    if isinstance(event, MeetingTargetSet):
        target = Target(event.kind, event.cadence, event.count, None, TargetScope.OWN, event.revision)
        return replace(plan, meeting_targets={**plan.meeting_targets, (event.kind, event.cadence): target})
    if isinstance(event, QuotaSet):
        target = Target(event.measure, event.cadence, event.count, None, TargetScope.SUBTREE, event.revision)
        return replace(plan, quotas={**plan.quotas, (event.measure, event.cadence): target})
    return plan


def decide_set_target(plan: Plan, unit_known: bool, command: SetTarget) -> list[DomainEvent]:
    """Set a target, or revise one with a reason (0 withdraws it). Identical twice is a conflict."""
    current = plan.targets.get((command.kind, command.cadence))
    settings = (command.count, command.audience, command.scope)
    revision = next_revision(current, unit_known, command.unit, settings, command.reason)
    return [TargetSet(**command.model_dump(), revision=revision)]


def decide_set_meeting_target(plan: Plan, unit_known: bool, command: SetMeetingTarget) -> list[DomainEvent]:
    """Set a meeting target the same way (e.g. situation analyses at least twice a year)."""
    current = plan.meeting_targets.get((command.kind, command.cadence))
    settings = (command.count, None, TargetScope.OWN)
    revision = next_revision(current, unit_known, command.unit, settings, command.reason)
    return [MeetingTargetSet(**command.model_dump(), revision=revision)]


def decide_set_quota(plan: Plan, unit_known: bool, command: SetQuota) -> list[DomainEvent]:
    """Set a quota of submissions, adoptions or published pieces the same way, counted over the subtree."""
    current = plan.quotas.get((command.measure, command.cadence))
    settings = (command.count, None, TargetScope.SUBTREE)
    revision = next_revision(current, unit_known, command.unit, settings, command.reason)
    return [QuotaSet(**command.model_dump(), revision=revision)]


def next_revision(
    current: Target | None,
    unit_known: bool,
    unit: str,
    settings: tuple[int, int | None, TargetScope],
    reason: str | None,
) -> int:
    """The rule every target shares: a registered unit; 0 withdraws an existing one; a revision needs a
    reason and must change something. Returns the target's next revision number."""
    if not unit_known:
        raise NotFound(f"unit {unit} is not registered", field="unit")
    if current is None and settings[0] == 0:
        raise DomainError("there is no such target to withdraw (count 0 withdraws a target)", field="count")
    if current is not None:
        if (current.count, current.audience, current.scope) == settings:
            raise AlreadyExists("the target is already set to exactly that", field="count")
        if not reason:
            raise DomainError("revising a target needs a reason", field="reason")
    return current.revision + 1 if current else 1


@dataclass(frozen=True)
class Tally:
    activities: int = 0
    audience: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.activities + other.activities, self.audience + other.audience)


@dataclass(frozen=True)
class PeriodProgress:
    period: Period
    status: PeriodStatus
    target: int
    actual: int
    audience_target: int | None
    audience: int

    @property
    def shortfall(self) -> int:
        """How many activities are missing: final once the period is closed, so far while it is open."""
        return max(self.target - self.actual, 0) if self.status is not PeriodStatus.UPCOMING else 0

    @property
    def audience_shortfall(self) -> int:
        if self.audience_target is None or self.status is PeriodStatus.UPCOMING:
            return 0
        return max(self.audience_target - self.audience, 0)

    @property
    def met(self) -> bool:
        return self.actual >= self.target and self.audience_shortfall == 0

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "first_day": self.period.first_day.isoformat(),
            "last_day": self.period.last_day.isoformat(),
            "status": self.status.value,
            "target": self.target,
            "actual": self.actual,
            "shortfall": self.shortfall,
            "audience_target": self.audience_target,
            "audience": self.audience,
            "audience_shortfall": self.audience_shortfall,
            "met": self.met,
        }


def progress(target: Target, year: int, months: Mapping[Month, Tally], today: date) -> list[PeriodProgress]:
    """Plan versus actual for every period of ``year``; ``months`` holds the counts per local month."""
    found = []
    for period in periods_in(year, target.cadence):
        tally = sum((months.get(month, Tally()) for month in period.months), Tally())
        found.append(
            PeriodProgress(
                period=period,
                status=period.status(today),
                target=target.count,
                actual=tally.activities,
                audience_target=target.audience,
                audience=tally.audience,
            )
        )
    return found


def completion(periods: list[PeriodProgress]) -> dict[str, Any]:
    """The year at a glance: what was due, what was done (a surplus in one period is not carried over
    into another), the final shortfall of closed periods and a completion ratio over the whole year."""
    due = sum(p.target for p in periods)
    done = sum(min(p.actual, p.target) for p in periods)
    closed = [p for p in periods if p.status is PeriodStatus.CLOSED]
    return {
        "target": due,
        "counted": done,
        "actual": sum(p.actual for p in periods),
        "shortfall_closed": sum(p.shortfall for p in closed),
        "periods_missed": sum(1 for p in closed if not p.met),
        "completion": round(done / due, 4) if due else None,
    }

"""Activity rules, pure: no I/O, no clock (``today`` is passed in, in Asia/Shanghai).

An activity is logged once, then only ever corrected (with a reason, the facts before and after kept)
or voided (final). Nothing is edited in place: its stream is its full history."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from pydantic import ValidationError

from contracts.outreach import (
    REQUIRED_FACTS,
    ActivityCorrected,
    ActivityFacts,
    ActivityLogged,
    ActivityVoided,
    CorrectActivity,
    LogActivity,
    VoidActivity,
)
from contracts.registry import DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, NotFound, field_errors

LISTS = frozenset({"participants", "speakers", "evidence"})


@dataclass(frozen=True)
class Activity:
    activity_id: str | None = None
    unit: str | None = None
    facts: ActivityFacts | None = None
    voided: bool = False
    corrections: int = 0

    @property
    def logged(self) -> bool:
        return self.facts is not None


def evolve_activity(activity: Activity, event: DomainEvent) -> Activity:
    if isinstance(event, ActivityLogged):
        return Activity(activity_id=event.activity_id, unit=event.unit, facts=event.facts())
    if isinstance(event, ActivityCorrected):
        return replace(activity, facts=event.after, corrections=activity.corrections + 1)
    if isinstance(event, ActivityVoided):
        return replace(activity, voided=True)
    return activity


def check_facts(facts: ActivityFacts | LogActivity, today: date) -> None:
    """What must hold for any recorded activity, whether logged, imported or corrected."""
    if facts.held_on > today:
        raise DomainError(
            f"{facts.held_on} is in the future; log an activity once it has been held",
            field="held_on",
            rule="date_in_future",
            params={"date": facts.held_on, "today": today},
        )
    if facts.audience < len(facts.participants):
        raise DomainError(
            f"人次 {facts.audience} is less than the {len(facts.participants)} named participants",
            field="audience",
        )


def decide_log_activity(
    activity: Activity,
    unit_known: bool,
    today: date,
    command: LogActivity,
    *,
    source: str | None = None,
    external_id: str | None = None,
) -> list[DomainEvent]:
    """Log an activity once, for a registered unit, on a day that has already come."""
    if activity.logged:
        raise AlreadyExists(f"activity {command.activity_id} is already logged", field="activity_id")
    if not unit_known:
        raise NotFound(f"unit {command.unit} is not registered", field="unit")
    check_facts(command, today)
    # The command was validated on the way in and the event's fields are the same or looser, so the
    # event is assembled without validating it again (a bulk import logs hundreds of these a command).
    # tests/outreach/test_activities.py checks that this gives what validation would.
    fields = {name: getattr(command, name) for name in LogActivity.model_fields}
    return [ActivityLogged.model_construct(**fields, source=source, external_id=external_id)]


def _recorded(activity: Activity, activity_id: str, unit: str, doing: str) -> ActivityFacts:
    """The facts of a logged, not voided activity of ``unit``, else a refusal saying why."""
    if activity.facts is None or activity.unit != unit:  # one answer: another unit's may lie out of scope
        raise NotFound(f"unit {unit} has no activity {activity_id}", field="activity_id")
    if activity.voided:
        raise DomainError(f"activity {activity_id} was voided; it cannot be {doing}", field="activity_id")
    return activity.facts


def decide_correct_activity(activity: Activity, today: date, command: CorrectActivity) -> list[DomainEvent]:
    """Correct some facts with a reason; the facts before and after both go into the event."""
    before = _recorded(activity, command.activity_id, command.unit, "corrected")
    patch = command.patch()
    for name, value in patch.items():
        if value is None and name in REQUIRED_FACTS:
            raise DomainError(f"{name} cannot be cleared, only changed", field=name)
    after = _patched(before, patch)
    changed = [name for name in patch if getattr(after, name) != getattr(before, name)]
    if not changed:
        raise DomainError("the correction changes nothing: every field given already has that value")
    check_facts(after, today)
    return [
        ActivityCorrected(
            activity_id=command.activity_id,
            unit=command.unit,
            reason=command.reason,
            before=before,
            after=after,
            changed=changed,
        )
    ]


def _patched(facts: ActivityFacts, patch: dict[str, Any]) -> ActivityFacts:
    # null clears an optional fact: an empty list for the lists, None for the rest
    cleared: dict[str, Any] = {name: [] for name, value in patch.items() if value is None and name in LISTS}
    merged = facts.model_dump() | patch | cleared
    try:
        return ActivityFacts.model_validate(merged)
    except ValidationError as error:  # the command already checked each field; this is belt and braces
        problem = field_errors(error)[0]
        raise DomainError(problem.reason, field=problem.field) from None


def decide_void_activity(activity: Activity, command: VoidActivity) -> list[DomainEvent]:
    """Void an activity with a reason: it stops counting everywhere; it cannot be undone."""
    facts = _recorded(activity, command.activity_id, command.unit, "voided again")
    return [
        ActivityVoided(activity_id=command.activity_id, unit=command.unit, reason=command.reason, facts=facts)
    ]

"""Outreach rules, pure: no I/O, no clock (``today`` is passed in, in Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.outreach import ActivityLogged, LogActivity
from contracts.registry import DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, NotFound


@dataclass(frozen=True)
class Activity:
    logged: bool = False


def evolve_activity(activity: Activity, event: DomainEvent) -> Activity:
    if isinstance(event, ActivityLogged):
        return Activity(logged=True)
    return activity


def decide_log_activity(
    activity: Activity, unit_known: bool, today: date, command: LogActivity
) -> list[DomainEvent]:
    """Log an activity once, for a registered unit, on a day that has already come."""
    if activity.logged:
        raise AlreadyExists(f"activity {command.activity_id} is already logged", field="activity_id")
    if not unit_known:
        raise NotFound(f"unit {command.unit} is not registered", field="unit")
    if command.held_on > today:
        raise DomainError(
            f"{command.held_on} is in the future; log an activity once it has been held", field="held_on"
        )
    return [ActivityLogged(**command.model_dump())]

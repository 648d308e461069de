"""When a case step happened, pure: stated by the command or else now; never in the future, never before
the case's previous step, and more than BACKDATE_DAYS back only with a reason. Deadlines, response
times and views then run from when it happened, so a loop recorded after the fact keeps its true times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contracts.opinion import CaseEvent
from contracts.opinion.commands import CaseCommand
from contracts.registry import DomainEvent
from services.eventkit.backdating import happened_at
from services.opinion.domain.case import Case


def occurred(case: Case, command: CaseCommand, now: datetime) -> datetime:
    """When the step the command records happened: not before the case's previous step."""
    reason = command.backdate_reason
    return happened_at(
        command.occurred_at, now, reason, not_before=case.happened_at, follows="the case's previous step"
    )


def stamped(events: Sequence[DomainEvent], at: datetime, command: CaseCommand) -> list[DomainEvent]:
    """The case events, each saying when its step happened (and why late, if it was back-dated)."""
    update = {"occurred_at": at, "backdate_reason": command.backdate_reason}
    return [event.model_copy(update=update) if isinstance(event, CaseEvent) else event for event in events]

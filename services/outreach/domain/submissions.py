"""Information-submission rules (信息报送、录用), pure: no I/O, no clock (``today`` is passed in, in
Asia/Shanghai).

An item is recorded once, for a registered unit, on a day that has come; an adoption belongs to a
recorded item of the same unit, falls on or after the day it was sent, and is recorded once per outlet.
Either recorded more than BACKDATE_DAYS after the fact needs a reason."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts.outreach_submissions import (
    RecordAdoption,
    RecordSubmission,
    SubmissionAdopted,
    SubmissionRecorded,
)
from contracts.registry import DomainEvent
from services.eventkit.backdating import check_backdating
from services.eventkit.errors import AlreadyExists, DomainError, NotFound


@dataclass(frozen=True)
class Submission:
    unit: str | None = None
    submitted_on: date | None = None
    adopted_by: frozenset[str] = frozenset()  # the outlets that adopted it

    @property
    def recorded(self) -> bool:
        return self.unit is not None


def evolve_submission(submission: Submission, event: DomainEvent) -> Submission:
    if isinstance(event, SubmissionRecorded):
        return Submission(event.unit, event.submitted_on)
    if isinstance(event, SubmissionAdopted):
        return replace(submission, adopted_by=submission.adopted_by | {event.outlet})
    return submission


def decide_record_submission(
    submission: Submission, unit_known: bool, today: date, command: RecordSubmission
) -> list[DomainEvent]:
    """Record an item sent upward once, for a registered unit."""
    if submission.recorded:
        raise AlreadyExists(f"submission {command.submission_id} is already recorded", field="submission_id")
    if not unit_known:
        raise NotFound(f"unit {command.unit} is not registered", field="unit")
    check_backdating(command.submitted_on, today, command.backdate_reason, field="submitted_on")
    return [SubmissionRecorded(**command.model_dump())]


def decide_record_adoption(submission: Submission, today: date, command: RecordAdoption) -> list[DomainEvent]:
    """Record an outlet's adoption of a recorded item, once per outlet, not before it was sent."""
    # Another unit's item may lie outside the actor's scope: answered like a missing one.
    if not submission.recorded or submission.unit != command.unit or submission.submitted_on is None:
        raise NotFound(
            f"unit {command.unit} has no submission {command.submission_id}", field="submission_id"
        )
    if command.outlet in submission.adopted_by:
        raise AlreadyExists(f"{command.outlet} has already adopted this item", field="outlet")
    if command.adopted_on < submission.submitted_on:
        raise DomainError(
            f"adopted_on {command.adopted_on} is before the item was sent ({submission.submitted_on})",
            field="adopted_on",
            rule="adopted_before_submitted",
            params={"date": command.adopted_on, "submitted": submission.submitted_on},
        )
    check_backdating(command.adopted_on, today, command.backdate_reason, field="adopted_on")
    return [SubmissionAdopted(**command.model_dump())]

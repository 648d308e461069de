"""Field-survey and award rules, pure: each recorded once, for a registered unit, back-dated only with a
reason (``today`` is passed in, in Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.outreach_records import AwardRecorded, FieldSurveyRecorded, RecordAward, RecordFieldSurvey
from contracts.registry import DomainEvent
from services.eventkit.backdating import check_backdating
from services.eventkit.errors import AlreadyExists, NotFound


@dataclass(frozen=True)
class Recorded:
    """A fact recorded once (a field survey, an award): whether it is, and for which unit."""

    unit: str | None = None

    @property
    def recorded(self) -> bool:
        return self.unit is not None


def evolve_recorded(state: Recorded, event: DomainEvent) -> Recorded:
    if isinstance(event, FieldSurveyRecorded | AwardRecorded):
        return Recorded(event.unit)
    return state


def _check_new(state: Recorded, what: str, unit: str, unit_known: bool, field: str) -> None:
    if state.recorded:
        raise AlreadyExists(f"{what} is already recorded", field=field)
    if not unit_known:
        raise NotFound(f"unit {unit} is not registered", field="unit")


def decide_record_field_survey(
    state: Recorded, unit_known: bool, today: date, command: RecordFieldSurvey
) -> list[DomainEvent]:
    """Record a field survey once; the problems it found are counted, and those solved."""
    _check_new(state, f"field survey {command.survey_id}", command.unit, unit_known, "survey_id")
    check_backdating(command.held_on, today, command.backdate_reason, field="held_on")
    return [FieldSurveyRecorded(**command.model_dump())]


def decide_record_award(
    state: Recorded, unit_known: bool, today: date, command: RecordAward
) -> list[DomainEvent]:
    """Record a selection or award once."""
    _check_new(state, f"award {command.award_id}", command.unit, unit_known, "award_id")
    check_backdating(command.awarded_on, today, command.backdate_reason, field="awarded_on")
    return [AwardRecorded(**command.model_dump())]

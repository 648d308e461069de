"""The field-survey and award view: each record, counts per unit and local month of when it happened
(surveys with problems found and solved; awards by kind), own and rolled up; back-dated ones audited."""

from __future__ import annotations

from contracts.outreach_records import AwardRecorded, FieldSurveyRecorded
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, Counter, Rows, on
from services.projection.backdating_view import note_if_back_dated

SURVEYS = Rows(
    "field_surveys",
    (
        ("survey_id", "text"),
        ("unit", "text"),
        ("held_on", "date"),
        ("led_by", "text"),
        ("topic", "text"),
        ("places", "jsonb"),
        ("problems", "jsonb"),
        ("problems_found", "int"),
        ("problems_solved", "int"),
        ("recorded_at", "timestamptz"),
    ),
    on_conflict="(survey_id) DO NOTHING",
)
SURVEY_MONTHLY = Counter(
    "survey_monthly", (("path", "text"), ("month", "date")), ("surveys", "problems_found", "problems_solved")
)
AWARDS = Rows(
    "awards",
    (
        ("award_id", "text"),
        ("unit", "text"),
        ("kind", "text"),
        ("title", "text"),
        ("recipient", "text"),
        ("awarded_by", "text"),
        ("awarded_on", "date"),
        ("recorded_at", "timestamptz"),
    ),
    on_conflict="(award_id) DO NOTHING",
)
AWARD_MONTHLY = Counter("award_monthly", (("path", "text"), ("month", "date"), ("kind", "text")), ("awards",))


class SurveyAwardHandlers:
    """Field surveys and awards (folded by records_projector.RecordsProjector)."""

    @on(FieldSurveyRecorded)
    def survey(self, batch: Batch, event: FieldSurveyRecorded, delivered: Delivered) -> None:
        found, solved = len(event.problems), sum(1 for problem in event.problems if problem.solved)
        batch.count(SURVEY_MONTHLY, event.unit, (event.held_on.replace(day=1),), (1, found, solved))
        problems = [problem.model_dump() for problem in event.problems]
        at = delivered.envelope.time
        row = (event.led_by, event.topic, event.places, problems, found, solved, at)
        batch.row(SURVEYS, event.survey_id, event.unit, event.held_on, *row)
        reason = event.backdate_reason
        note_if_back_dated(
            batch, delivered, event.survey_id, event.unit, happened_on=event.held_on, reason=reason
        )

    @on(AwardRecorded)
    def award(self, batch: Batch, event: AwardRecorded, delivered: Delivered) -> None:
        batch.count(AWARD_MONTHLY, event.unit, (event.awarded_on.replace(day=1), event.kind.value), (1,))
        names = (event.kind.value, event.title, event.recipient, event.awarded_by)
        batch.row(AWARDS, event.award_id, event.unit, *names, event.awarded_on, delivered.envelope.time)
        reason = event.backdate_reason
        note_if_back_dated(
            batch, delivered, event.award_id, event.unit, happened_on=event.awarded_on, reason=reason
        )

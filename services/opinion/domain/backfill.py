"""Back-filled items, pure: a past item recorded by the rules of ingest (decide_report) and then of
grading (decide_grade) as of when it was graded, each row on its own with the per-row report every bulk
command gives (services/eventkit/bulkrows.py). A refusal names the row's field (``grade.graded_at``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import ValidationError

from contracts.opinion import GradeOpinion, IngestItem, PastItemRow, ReportItems, ingested_case_id
from contracts.registry import DomainEvent
from contracts.units import division_codes
from services.eventkit.bulkrows import CheckedRow, RowDecision, RowOutcome, check_batch, decide_rows, renamed
from services.eventkit.errors import DomainError, field_errors
from services.opinion.domain.case import Case, CaseState, evolve
from services.opinion.domain.closed_loop import decide_grade, decide_report
from services.opinion.domain.occurrence import occurred, stamped
from services.opinion.domain.plans import Plans

ID_NAME = "case_id"
GRADE_FIELDS = {"occurred_at": "grade.graded_at", "owning_unit": "grade.owning_unit", "unit": "unit"}


def check_item_rows(
    command: ReportItems, now: datetime
) -> tuple[list[CheckedRow[PastItemRow]], list[RowOutcome]]:
    """Rows that pass the door as PastItemRow and lie in the batch's unit, and a failure for the rest."""
    return check_batch(
        PastItemRow, command, now, lambda row: ingested_case_id(command.source, row.external_id), ID_NAME
    )


def grade_command(case_id: str, row: PastItemRow) -> GradeOpinion:
    """The row's grading as the single command; its own rule (relevant needs all three) refuses as grade."""
    grade = row.grade
    try:
        return GradeOpinion(
            case_id=case_id,
            unit=row.unit,
            relevant=grade.relevant,
            category=grade.category,
            severity=grade.severity,
            owning_unit=grade.owning_unit,
            note=grade.note,
            occurred_at=grade.graded_at,
            backdate_reason=row.backdate_reason,
        )
    except ValidationError as error:
        raise DomainError(field_errors(error)[0].reason, field="grade") from None


def decide_past_item(
    case_id: str,
    source: str,
    row: PastItemRow,
    *,
    unit_known: bool,
    owner_known: bool,
    plans: Plans,
    now: datetime,
) -> list[DomainEvent]:
    """The item's OpinionReported, then its grading as of ``grade.graded_at`` (response clocks included)."""
    item = IngestItem(
        source=source,
        external_id=row.external_id,
        unit=row.unit,
        channel=row.channel,
        title=row.title,
        excerpt=row.excerpt,
        link=row.link,
        captured_at=row.captured_at,
    )
    reported = decide_report(Case(), case_id, unit_known, now, item)
    case = Case()
    for event in reported:
        case = evolve(case, event)
    grade = grade_command(case_id, row)
    plan = None
    if grade.severity is not None and plans.latest is not None:
        plan = (plans.latest, plans.limits(plans.latest, grade.severity))

    def graded() -> list[DomainEvent]:
        at = occurred(case, grade, now)
        return stamped(decide_grade(case, grade, owner_known, plan, at), at, grade)

    return reported + renamed(graded, GRADE_FIELDS)


def decide_report_items(
    source: str,
    rows: list[CheckedRow[PastItemRow]],
    *,
    cases: Mapping[str, Case],
    known_units: set[str],
    plans: Mapping[str, Plans],
    now: datetime,
) -> tuple[list[RowDecision], list[RowOutcome]]:
    """Which rows become graded cases: a row whose case exists (reported before, here or by ingest, or
    earlier in this batch) is a duplicate. ``plans`` holds each city's response plan by its code."""

    def decide(checked: CheckedRow[PastItemRow]) -> list[DomainEvent]:
        row = checked.row
        owner = row.grade.owning_unit
        return decide_past_item(
            checked.record_id,
            source,
            row,
            unit_known=row.unit in known_units,
            owner_known=owner is not None and owner in known_units,
            plans=plans.get(division_codes(row.unit)[0], Plans()),
            now=now,
        )

    def recorded_before(checked: CheckedRow[PastItemRow]) -> bool:
        return cases.get(checked.record_id, Case()).state is not CaseState.NEW

    return decide_rows(rows, recorded_before, decide, ID_NAME)

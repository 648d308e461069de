"""Bulk import rules, pure: every row checked on its own, so one bad row never costs the good ones.

Rows are checked and reported the way every bulk command's are (rows.py); an activity's id is derived
from (source, external id) and a pair seen before is a duplicate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from contracts.outreach import ActivityRow, LogActivities, LogActivity
from contracts.registry import DomainEvent
from services.eventkit.errors import DomainError
from services.eventkit.unitlife import KnownUnit, check_not_retired
from services.outreach.domain.activities import Activity, decide_log_activity
from services.outreach.domain.rows import (
    CheckedRow,
    RowOutcome,
    RowStatus,
    check_batch,
    imported_id,
    report,
    row_error,
)
from services.outreach.domain.taxonomy import Taxonomy, city_of

__all__ = ["RowStatus", "check_rows", "decide_import", "import_activity_id", "report"]

LOGGED_ROW_FIELDS = tuple(name for name in ActivityRow.model_fields if name not in {"row", "external_id"})


@dataclass(frozen=True)
class ImportDecision:
    activity_id: str
    unit: str
    events: list[DomainEvent]
    row: CheckedRow[ActivityRow]


def import_activity_id(source: str, external_id: str) -> str:
    """A stable activity id for a source's record: the same pair always gives the same id."""
    return imported_id("imp", source, external_id)


def check_rows(
    command: LogActivities, now: datetime
) -> tuple[list[CheckedRow[ActivityRow]], list[RowOutcome]]:
    """Rows that pass the door as ActivityRow and lie in the batch's unit, and a failure for the rest."""
    return check_batch(ActivityRow, command, now, import_activity_id, "activity_id")


def decide_import(
    source: str,
    rows: list[CheckedRow[ActivityRow]],
    *,
    already_imported: Mapping[str, str],
    activities: Mapping[str, Activity],
    known_units: set[str],
    today: date,
    taxonomies: Mapping[str, Taxonomy] | None = None,
    retired: Mapping[str, KnownUnit] | None = None,
) -> tuple[list[ImportDecision], list[RowOutcome]]:
    """Which rows become activities; ``already_imported`` maps external ids of this source seen before
    to their activity ids; ``taxonomies`` holds the activity taxonomy of each city whose rows name a
    subtype; ``retired`` the rows' units merged away or retired (a row held since then fails). Returns
    the decisions and an outcome for every row, in row order."""
    decisions: list[ImportDecision] = []
    outcomes: list[RowOutcome] = []
    seen: dict[str, str] = dict(already_imported)
    for checked in rows:
        row = checked.row
        if row.external_id in seen:
            outcomes.append(
                RowOutcome(checked.number, RowStatus.DUPLICATE, row.external_id, seen[row.external_id])
            )
            continue
        # The row passed ActivityRow's checks, which are LogActivity's: built without validating again.
        command = LogActivity.model_construct(
            activity_id=checked.record_id, **{name: getattr(row, name) for name in LOGGED_ROW_FIELDS}
        )
        try:
            if (gone := (retired or {}).get(row.unit)) is not None:
                check_not_retired(gone, row.held_on, gone.successor, "unit")
            events = decide_log_activity(
                activities.get(checked.record_id, Activity()),
                row.unit in known_units,
                today,
                command,
                source=source,
                external_id=row.external_id,
                taxonomy=(taxonomies or {}).get(city_of(row.unit), Taxonomy()),
            )
        except DomainError as error:
            problem = row_error(error.field or "row", error.message)
            outcomes.append(RowOutcome(checked.number, RowStatus.FAILED, row.external_id, errors=[problem]))
            continue
        seen[row.external_id] = checked.record_id
        decisions.append(ImportDecision(checked.record_id, row.unit, events, checked))
        outcomes.append(RowOutcome(checked.number, RowStatus.IMPORTED, row.external_id, checked.record_id))
    return decisions, outcomes

"""Bulk import rules, pure: every row checked on its own, so one bad row never costs the good ones.

A row is identified by (source, external id); its activity id is derived from that pair, so the same
record sent twice, in one batch or in two, lands once and is reported as a duplicate the second time."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from contracts.commands import FieldError
from contracts.inputs import InputError, validate_input
from contracts.outreach import ActivityRow, LogActivities, LogActivity
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.eventkit.errors import DomainError, field_errors
from services.outreach.domain.activities import Activity, decide_log_activity

LOGGED_ROW_FIELDS = tuple(name for name in ActivityRow.model_fields if name not in {"row", "external_id"})


class RowStatus(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class RowOutcome:
    row: int
    status: RowStatus
    external_id: str | None = None
    activity_id: str | None = None
    errors: list[FieldError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "row": self.row,
            "status": self.status.value,
            "external_id": self.external_id,
        }
        if self.activity_id:
            found["activity_id"] = self.activity_id
        if self.errors:
            found["errors"] = [error.model_dump() for error in self.errors]
        return found


@dataclass(frozen=True)
class CheckedRow:
    number: int
    row: ActivityRow
    activity_id: str


@dataclass(frozen=True)
class ImportDecision:
    activity_id: str
    unit: str
    events: list[DomainEvent]
    row: CheckedRow


def import_activity_id(source: str, external_id: str) -> str:
    """A stable activity id for a source's record: the same pair always gives the same id."""
    digest = hashlib.sha256(f"{source}\x1f{external_id}".encode()).hexdigest()
    return f"imp-{digest[:40]}"


def row_number(raw: Any, position: int) -> int:
    """The row number the sender gave (its spreadsheet row), else the row's place in the batch."""
    given = raw.get("row") if isinstance(raw, dict) else None
    return given if isinstance(given, int) and not isinstance(given, bool) and given >= 1 else position


def check_rows(command: LogActivities, now: datetime) -> tuple[list[CheckedRow], list[RowOutcome]]:
    """Rows that pass the door (contracts.inputs) and lie in the batch's unit, and a failure outcome
    for each that does not."""
    good: list[CheckedRow] = []
    failed: list[RowOutcome] = []
    for position, raw in enumerate(command.rows, start=1):
        number = row_number(raw, position)
        external_id = raw.get("external_id") if isinstance(raw, dict) else None
        external_id = external_id if isinstance(external_id, str) else None
        try:
            row = validate_input(ActivityRow, raw, now)
        except (InputError, ValidationError) as error:
            problems = [FieldError(field=e.field or "row", reason=e.reason) for e in field_errors(error)]
            failed.append(RowOutcome(number, RowStatus.FAILED, external_id, errors=problems))
            continue
        if not is_within(row.unit, command.unit):
            reason = f"unit {row.unit} is not in this import's unit {command.unit}"
            failed.append(
                RowOutcome(number, RowStatus.FAILED, row.external_id, errors=[_error("unit", reason)])
            )
            continue
        good.append(CheckedRow(number, row, import_activity_id(command.source, row.external_id)))
    return good, failed


def decide_import(
    source: str,
    rows: list[CheckedRow],
    *,
    already_imported: Mapping[str, str],
    activities: Mapping[str, Activity],
    known_units: set[str],
    today: date,
) -> tuple[list[ImportDecision], list[RowOutcome]]:
    """Which rows become activities; ``already_imported`` maps external ids of this source seen before
    to their activity ids. Returns the decisions and an outcome for every row, in row order."""
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
            activity_id=checked.activity_id, **{name: getattr(row, name) for name in LOGGED_ROW_FIELDS}
        )
        try:
            events = decide_log_activity(
                activities.get(checked.activity_id, Activity()),
                row.unit in known_units,
                today,
                command,
                source=source,
                external_id=row.external_id,
            )
        except DomainError as error:
            problem = _error(error.field or "row", error.message)
            outcomes.append(RowOutcome(checked.number, RowStatus.FAILED, row.external_id, errors=[problem]))
            continue
        seen[row.external_id] = checked.activity_id
        decisions.append(ImportDecision(checked.activity_id, row.unit, events, checked))
        outcomes.append(RowOutcome(checked.number, RowStatus.IMPORTED, row.external_id, checked.activity_id))
    return decisions, outcomes


def report(outcomes: list[RowOutcome]) -> dict[str, Any]:
    """The reply's result: counts by status and one entry per row, in row order."""
    ordered = sorted(outcomes, key=lambda outcome: outcome.row)
    counts = {status.value: sum(1 for o in ordered if o.status is status) for status in RowStatus}
    return {**counts, "rows": [outcome.as_json() for outcome in ordered]}


def _error(field_name: str, reason: str) -> FieldError:
    return FieldError(field=field_name, reason=reason)

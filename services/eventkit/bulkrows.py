"""Bulk records, pure: the one way every bulk command (in any service) checks its rows, decides each on
its own and reports on each.

Each row passes the door on its own (contracts.inputs), so one bad row never costs the good ones. A
row names its record: derived from (source, external id) for records from another register, or its
own id (an outlet's); so the same record sent twice, in one batch or in two, lands once and is
reported as a duplicate the second time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from pydantic import ValidationError

from contracts.commands import FieldError
from contracts.inputs import InputError, validate_input
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.eventkit.errors import DomainError, field_errors


class BulkRow(Protocol):
    @property
    def unit(self) -> str: ...


class BulkCommand(Protocol):
    @property
    def unit(self) -> str: ...

    @property
    def rows(self) -> Sequence[Any]: ...


R = TypeVar("R", bound=BulkRow)


class RowStatus(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class RowOutcome:
    row: int
    status: RowStatus
    external_id: str | None = None
    record_id: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    id_name: str = "activity_id"  # what the record id is called in the report

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "row": self.row,
            "status": self.status.value,
            "external_id": self.external_id,
        }
        if self.record_id:
            found[self.id_name] = self.record_id
        if self.errors:
            found["errors"] = [error.model_dump() for error in self.errors]
        return found


@dataclass(frozen=True)
class CheckedRow(Generic[R]):
    number: int
    row: R
    record_id: str


def imported_id(prefix: str, source: str, external_id: str) -> str:
    """A stable record id for a source's record: the same pair always gives the same id."""
    digest = hashlib.sha256(f"{source}\x1f{external_id}".encode()).hexdigest()
    return f"{prefix}-{digest[:40]}"


def row_number(raw: Any, position: int) -> int:
    """The row number the sender gave (its spreadsheet row), else the row's place in the batch."""
    given = raw.get("row") if isinstance(raw, dict) else None
    return given if isinstance(given, int) and not isinstance(given, bool) and given >= 1 else position


def external_id_of(row: Any) -> str | None:
    """The row's id in its source register, if it has one (an outlet's row names its own id instead)."""
    found = row.get("external_id") if isinstance(row, dict) else getattr(row, "external_id", None)
    return found if isinstance(found, str) else None


def check_batch(
    model: type[R],
    command: BulkCommand,
    now: datetime,
    record_id: Callable[[R], str],
    id_name: str,
) -> tuple[list[CheckedRow[R]], list[RowOutcome]]:
    """Rows that pass the door as ``model`` and lie in the batch's unit, and a failure outcome for each
    that does not; ``record_id(row)`` names each good row's record."""
    good: list[CheckedRow[R]] = []
    failed: list[RowOutcome] = []
    for position, raw in enumerate(command.rows, start=1):
        number = row_number(raw, position)
        external_id = external_id_of(raw)
        try:
            row = validate_input(model, raw, now)  # type: ignore[type-var]  # R is an InputModel
        except (InputError, ValidationError) as error:
            problems = [FieldError(field=e.field or "row", reason=e.reason) for e in field_errors(error)]
            failed.append(RowOutcome(number, RowStatus.FAILED, external_id, errors=problems, id_name=id_name))
            continue
        if not is_within(row.unit, command.unit):
            reason = f"unit {row.unit} is not in this import's unit {command.unit}"
            problem = row_error("unit", reason)
            failed.append(
                RowOutcome(number, RowStatus.FAILED, external_id_of(row), errors=[problem], id_name=id_name)
            )
            continue
        good.append(CheckedRow(number, row, record_id(row)))
    return good, failed


@dataclass(frozen=True)
class RowDecision:
    """The events one good row's record gets, appended to that record's stream."""

    record_id: str
    unit: str
    events: list[DomainEvent]


def decide_rows(
    rows: Sequence[CheckedRow[R]],
    recorded_before: Callable[[CheckedRow[R]], bool],
    decide: Callable[[CheckedRow[R]], list[DomainEvent]],
    id_name: str,
) -> tuple[list[RowDecision], list[RowOutcome]]:
    """Decide each row on its own: a row ``recorded_before`` says is already stored, or whose record an
    earlier row of this batch made, is a duplicate; one ``decide`` refuses with a DomainError fails with
    that error; the rest become records. Returns the decisions and an outcome for every row."""
    decisions: list[RowDecision] = []
    outcomes: list[RowOutcome] = []
    taken: set[str] = set()
    for checked in rows:
        external_id, record_id = external_id_of(checked.row), checked.record_id
        if record_id in taken or recorded_before(checked):
            outcomes.append(
                RowOutcome(checked.number, RowStatus.DUPLICATE, external_id, record_id, id_name=id_name)
            )
            continue
        try:
            events = decide(checked)
        except DomainError as error:
            problem = FieldError(
                field=error.field or "row", reason=error.message, code=error.rule, params=error.params
            )
            outcomes.append(
                RowOutcome(checked.number, RowStatus.FAILED, external_id, errors=[problem], id_name=id_name)
            )
            continue
        taken.add(record_id)
        decisions.append(RowDecision(record_id, checked.row.unit, events))
        outcomes.append(
            RowOutcome(checked.number, RowStatus.IMPORTED, external_id, record_id, id_name=id_name)
        )
    return decisions, outcomes


def renamed(
    step: Callable[[], list[DomainEvent]], names: Mapping[str, str], prefix: str = ""
) -> list[DomainEvent]:
    """Run a single command's rule for part of a row; a refusal names the row's field instead of the
    command's (``effective_on`` of the fill becomes ``holder.since``), so the sender fixes that cell."""
    try:
        return step()
    except DomainError as error:
        field = error.field or "row"
        error.field = prefix + names.get(field, field)
        raise


def report(outcomes: list[RowOutcome]) -> dict[str, Any]:
    """The reply's result: counts by status and one entry per row, in row order."""
    ordered = sorted(outcomes, key=lambda outcome: outcome.row)
    counts = {status.value: sum(1 for o in ordered if o.status is status) for status in RowStatus}
    return {**counts, "rows": [outcome.as_json() for outcome in ordered]}


def row_error(field_name: str, reason: str) -> FieldError:
    return FieldError(field=field_name, reason=reason)

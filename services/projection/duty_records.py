"""The duty view's cadences, half-yearly reports and social organizations (a part of the duty projector):
cadences and coverage as validity intervals in duty_history, reports and organization inspections as rows."""

from __future__ import annotations

from contracts import duty as d
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, ReadModel, Rows, on

REPORTS = "duty_half_year_reports"
ORGANIZATION_INSPECTIONS = Rows(
    "duty_organization_inspections",
    (
        ("unit", "text"),
        ("inspection_id", "text"),
        ("inspected_on", "date"),
        ("inspector", "text"),
        ("summary", "text"),
    ),
    on_conflict=None,
)
HISTORY_END = (
    "UPDATE {s}.duty_history SET valid_to = $3 WHERE subject = $1 AND attribute = $2 AND valid_to IS NULL"
)
HISTORY_BEGIN = "INSERT INTO {s}.duty_history (subject, attribute, value, valid_from) VALUES ($1, $2, $3, $4)"


class DutyRecords(ReadModel):
    """Cadences, reports and social organizations: the duty projector's handlers for them."""

    def _set(self, batch: Batch, subject: str, attribute: str, value: str, on: object) -> None:
        # Ordered on duty_history with the projector's other interval changes (see duty_projector.History).
        batch.change("duty_history", HISTORY_END, subject, attribute, on)
        batch.change("duty_history", HISTORY_BEGIN, subject, attribute, value, on)

    @on(d.InspectionCadenceSet)
    def cadence_set(self, batch: Batch, e: d.InspectionCadenceSet, _: Delivered) -> None:
        self._set(batch, f"cadence:{e.unit}", e.kind.value, str(e.months), e.effective_on)

    @on(d.PartyCoverageSet)
    def coverage_set(self, batch: Batch, e: d.PartyCoverageSet, _: Delivered) -> None:
        self._set(batch, f"unit:{e.unit}", "party_coverage", e.coverage.value, e.effective_on)

    @on(d.HalfYearReportMade)
    def report_made(self, batch: Batch, e: d.HalfYearReportMade, _: Delivered) -> None:
        batch.change(
            REPORTS,
            "INSERT INTO {s}.duty_half_year_reports (unit, half_year, due_at, deadline_estimated, reported_at,"
            " reported_to, summary, late) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (unit, half_year)"
            " DO UPDATE SET deadline_estimated = excluded.deadline_estimated, reported_at = excluded.reported_at,"
            " reported_to = excluded.reported_to, summary = excluded.summary, late = excluded.late",
            e.unit,
            e.half_year,
            e.due_at,
            e.deadline_estimated,
            e.reported_at,
            e.reported_to,
            e.summary,
            e.late,
        )

    @on(d.HalfYearReportOverdue)
    def report_overdue(self, batch: Batch, e: d.HalfYearReportOverdue, delivered: Delivered) -> None:
        batch.change(
            REPORTS,
            "INSERT INTO {s}.duty_half_year_reports (unit, half_year, due_at, overdue_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (unit, half_year) DO UPDATE SET overdue_at = excluded.overdue_at",
            e.unit,
            e.half_year,
            e.due_at,
            delivered.envelope.time,
        )

    @on(d.OrganizationInspected)
    def organization_inspected(self, batch: Batch, e: d.OrganizationInspected, _: Delivered) -> None:
        batch.row(ORGANIZATION_INSPECTIONS, e.unit, e.inspection_id, e.inspected_on, e.inspector, e.summary)

"""The duty view's inspections, findings and rectifications (a part of the duty projector)."""

from __future__ import annotations

from contracts import duty as d
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, ReadModel, Rows, on

INSPECTIONS = Rows(
    "duty_inspections",
    (
        ("inspection_id", "text"),
        ("unit", "text"),
        ("inspected_on", "date"),
        ("inspector", "text"),
        ("outlets_checked", "text[]"),
        ("summary", "text"),
    ),
    on_conflict=None,
)
FINDINGS = Rows(
    "duty_findings",
    (
        ("inspection_id", "text"),
        ("finding_id", "text"),
        ("outlet_id", "text"),
        ("item", "text"),
        ("description", "text"),
    ),
    on_conflict=None,
)
RECTIFICATIONS = Rows(
    "duty_rectifications",
    (
        ("rectification_id", "text"),
        ("unit", "text"),
        ("inspection_id", "text"),
        ("finding_id", "text"),
        ("outlet_id", "text"),
        ("item", "text"),
        ("instructions", "text"),
        ("workdays", "int"),
        ("opened_at", "timestamptz"),
        ("due_at", "timestamptz"),
        ("deadline_estimated", "bool"),
    ),
    on_conflict=None,
)


class DutyChecks(ReadModel):
    """Inspections and rectifications: the duty projector's handlers for them."""

    @on(d.InspectionRecorded)
    def inspection_recorded(self, batch: Batch, e: d.InspectionRecorded, _: Delivered) -> None:
        batch.row(
            INSPECTIONS, e.inspection_id, e.unit, e.inspected_on, e.inspector, e.outlets_checked, e.summary
        )
        for f in e.findings:
            batch.row(FINDINGS, e.inspection_id, f.finding_id, f.outlet_id, f.item.value, f.description)

    @on(d.RectificationOpened)
    def rectification_opened(self, batch: Batch, e: d.RectificationOpened, _: Delivered) -> None:
        batch.row(
            RECTIFICATIONS,
            e.rectification_id,
            e.unit,
            e.inspection_id,
            e.finding_id,
            e.outlet_id,
            e.item.value,
            e.instructions,
            e.workdays,
            e.opened_at,
            e.due_at,
            e.deadline_estimated,
        )
        batch.change(
            FINDINGS.table,
            "UPDATE {s}.duty_findings SET rectification_id = $3 WHERE inspection_id = $1 AND finding_id = $2",
            e.inspection_id,
            e.finding_id,
            e.rectification_id,
        )

    @on(d.RectificationEvidenceAdded)
    def evidence_added(self, batch: Batch, e: d.RectificationEvidenceAdded, _: Delivered) -> None:
        batch.change(
            RECTIFICATIONS.table,
            "UPDATE {s}.duty_rectifications SET evidence = evidence || $2::jsonb WHERE rectification_id = $1",
            e.rectification_id,
            [item.model_dump(mode="json") for item in e.evidence],
        )

    @on(d.RectificationOverdue)
    def rectification_overdue(self, batch: Batch, e: d.RectificationOverdue, delivered: Delivered) -> None:
        sql = "UPDATE {s}.duty_rectifications SET overdue_at = $2 WHERE rectification_id = $1"
        batch.change(RECTIFICATIONS.table, sql, e.rectification_id, delivered.envelope.time)

    @on(d.RectificationClosed)
    def rectification_closed(self, batch: Batch, e: d.RectificationClosed, _: Delivered) -> None:
        batch.change(
            RECTIFICATIONS.table,
            "UPDATE {s}.duty_rectifications SET closed_at = $2, late = $3, summary = $4, evidence = $5::jsonb"
            " WHERE rectification_id = $1",
            e.rectification_id,
            e.closed_at,
            e.late,
            e.summary,
            [item.model_dump(mode="json") for item in e.evidence],
        )

"""The duty view's inspections, findings and rectifications (applied by the duty projector)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from contracts import duty as d
from contracts.envelope import EventEnvelope
from contracts.registry import DomainEvent
from services.eventkit.db import Conn

Apply = Callable[[Conn, str, Any, EventEnvelope], Awaitable[None]]


async def inspection_recorded(conn: Conn, s: str, e: d.InspectionRecorded, _: EventEnvelope) -> None:
    await conn.execute(
        f"INSERT INTO {s}.duty_inspections (inspection_id, unit, inspected_on, inspector, outlets_checked, summary)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        e.inspection_id,
        e.unit,
        e.inspected_on,
        e.inspector,
        e.outlets_checked,
        e.summary,
    )
    await conn.executemany(
        f"INSERT INTO {s}.duty_findings (inspection_id, finding_id, outlet_id, item, description)"
        " VALUES ($1, $2, $3, $4, $5)",
        [(e.inspection_id, f.finding_id, f.outlet_id, f.item.value, f.description) for f in e.findings],
    )


async def rectification_opened(conn: Conn, s: str, e: d.RectificationOpened, _: EventEnvelope) -> None:
    await conn.execute(
        f"INSERT INTO {s}.duty_rectifications (rectification_id, unit, inspection_id, finding_id, outlet_id, item,"
        " instructions, workdays, opened_at, due_at, deadline_estimated)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
    await conn.execute(
        f"UPDATE {s}.duty_findings SET rectification_id = $3 WHERE inspection_id = $1 AND finding_id = $2",
        e.inspection_id,
        e.finding_id,
        e.rectification_id,
    )


async def evidence_added(conn: Conn, s: str, e: d.RectificationEvidenceAdded, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_rectifications SET evidence = evidence || $2::jsonb WHERE rectification_id = $1",
        e.rectification_id,
        [item.model_dump(mode="json") for item in e.evidence],
    )


async def rectification_overdue(
    conn: Conn, s: str, e: d.RectificationOverdue, envelope: EventEnvelope
) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_rectifications SET overdue_at = $2 WHERE rectification_id = $1",
        e.rectification_id,
        envelope.time,
    )


async def rectification_closed(conn: Conn, s: str, e: d.RectificationClosed, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_rectifications SET closed_at = $2, late = $3, summary = $4, evidence = $5::jsonb"
        " WHERE rectification_id = $1",
        e.rectification_id,
        e.closed_at,
        e.late,
        e.summary,
        [item.model_dump(mode="json") for item in e.evidence],
    )


CHECKS: dict[type[DomainEvent], Apply] = {
    d.InspectionRecorded: inspection_recorded,
    d.RectificationOpened: rectification_opened,
    d.RectificationEvidenceAdded: evidence_added,
    d.RectificationOverdue: rectification_overdue,
    d.RectificationClosed: rectification_closed,
}

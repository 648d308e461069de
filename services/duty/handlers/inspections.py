"""Inspection and rectification commands, and the timer that flags a rectification overdue."""

from __future__ import annotations

from contracts.duty import (
    AddRectificationEvidence,
    CloseRectification,
    OpenRectification,
    RecordInspection,
    RectificationOpened,
)
from services.duty import tables
from services.duty.domain.common import change, inspection_stream, rectification_stream
from services.duty.domain.inspections import (
    decide_add_evidence,
    decide_close_rectification,
    decide_flag_overdue,
    decide_open_rectification,
    decide_record_inspection,
)
from services.duty.domain.outlets import Outlet
from services.duty.handlers.session import Session
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.timers import Timer, cancel, schedule

OVERDUE_TIMER = "duty.rectification_overdue"


def overdue_timer_id(rectification_id: str) -> str:
    return f"rectification-overdue:{rectification_id}"


async def record_inspection(ctx: CommandContext, command: RecordInspection) -> list[Decision]:
    session = Session(ctx)
    inspection, unit = await session.inspection(command.inspection_id), await session.unit(command.unit)
    outlets = await session.outlets(sorted(set(command.outlets_checked)))
    events = decide_record_inspection(inspection, unit, outlets, command, session.today)
    return await session.commit([change(inspection_stream(command.inspection_id), command.unit, *events)])


async def open_rectification(ctx: CommandContext, command: OpenRectification) -> list[Decision]:
    """Open it and set the durable timer at its deadline, in the same transaction."""
    session = Session(ctx)
    rectification = await session.rectification(command.rectification_id)
    inspection = await session.inspection(command.inspection_id)
    finding = inspection.finding(command.finding_id)
    outlet = await session.outlet(finding.outlet_id) if finding else Outlet()
    taken_by = await tables.rectification_for(ctx.conn, command.inspection_id, command.finding_id)
    events = decide_open_rectification(
        rectification, inspection, outlet, taken_by=taken_by, command=command, now=ctx.now
    )
    opened = events[0]
    assert isinstance(opened, RectificationOpened)
    timer = Timer(
        overdue_timer_id(command.rectification_id),
        OVERDUE_TIMER,
        opened.due_at,
        {"rectification_id": command.rectification_id},
    )
    await schedule(ctx.conn, tables.SCHEMA, timer)
    return await session.commit(
        [change(rectification_stream(command.rectification_id), opened.unit, *events)]
    )


async def add_rectification_evidence(
    ctx: CommandContext, command: AddRectificationEvidence
) -> list[Decision]:
    session = Session(ctx)
    rectification = await session.rectification(command.rectification_id)
    events = decide_add_evidence(rectification, command)
    stream = rectification_stream(command.rectification_id)
    return await session.commit([change(stream, rectification.unit or command.unit, *events)])


async def close_rectification(ctx: CommandContext, command: CloseRectification) -> list[Decision]:
    """Close it with evidence; the deadline timer is no longer needed."""
    session = Session(ctx)
    rectification = await session.rectification(command.rectification_id)
    events = decide_close_rectification(rectification, command, ctx.now)
    await cancel(ctx.conn, tables.SCHEMA, overdue_timer_id(command.rectification_id))
    stream = rectification_stream(command.rectification_id)
    return await session.commit([change(stream, rectification.unit or command.unit, *events)])


async def flag_overdue(ctx: CommandContext, timer: Timer) -> list[Decision]:
    """The deadline passed: RectificationOverdue if it is still open."""
    session = Session(ctx)
    rectification_id = str(timer.payload["rectification_id"])
    rectification = await session.rectification(rectification_id)
    events = decide_flag_overdue(rectification, ctx.now)
    stream = rectification_stream(rectification_id)
    return await session.commit([change(stream, rectification.unit or "", *events)] if events else [])

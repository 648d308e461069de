"""Cadence, half-yearly report and social-organization commands, and the timer that flags a report
overdue: it fires at each half-year's deadline and arms the next half-year's (report_timers.py), so
every office owes one report a half-year from its registration on."""

from __future__ import annotations

from contracts.duty import (
    RecordHalfYearReport,
    RecordOrganizationInspection,
    SetInspectionCadence,
    SetPartyCoverage,
)
from services.duty.domain.common import cadence_stream, change, organization_stream, report_key, report_stream
from services.duty.domain.records import (
    decide_flag_report_overdue,
    decide_inspect_organization,
    decide_record_report,
    decide_set_cadence,
    decide_set_coverage,
)
from services.duty.handlers.report_timers import arm_report_timer
from services.duty.handlers.session import Session
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.dues import parse_half_year
from services.eventkit.timers import Timer


async def set_inspection_cadence(ctx: CommandContext, command: SetInspectionCadence) -> list[Decision]:
    session = Session(ctx)
    cadences, city = await session.cadences(command.unit), await session.unit(command.unit)
    events = decide_set_cadence(cadences, city, command, session.today)
    return await session.commit([change(cadence_stream(command.unit), command.unit, *events)])


async def record_half_year_report(ctx: CommandContext, command: RecordHalfYearReport) -> list[Decision]:
    session = Session(ctx)
    key = report_key(command.unit, command.half_year)
    report, unit = await session.report(key), await session.unit(command.unit)
    events = decide_record_report(report, unit, command, ctx.now)
    return await session.commit([change(report_stream(key), command.unit, *events)])


async def flag_report_overdue(ctx: CommandContext, timer: Timer) -> list[Decision]:
    """The deadline passed: HalfYearReportOverdue if not made; the next half-year's timer either way."""
    session = Session(ctx)
    path, half = str(timer.payload["unit"]), parse_half_year(str(timer.payload["half_year"]))
    key = report_key(path, half.label)
    report, unit = await session.report(key), await session.unit(path)
    events = decide_flag_report_overdue(report, unit, half, ctx.now)
    await arm_report_timer(ctx.conn, unit, half.next())
    return await session.commit([change(report_stream(key), path, *events)] if events else [])


async def set_party_coverage(ctx: CommandContext, command: SetPartyCoverage) -> list[Decision]:
    session = Session(ctx)
    organization, unit = await session.organization(command.unit), await session.unit(command.unit)
    events = decide_set_coverage(organization, unit, command, session.today)
    return await session.commit([change(organization_stream(command.unit), command.unit, *events)])


async def record_organization_inspection(
    ctx: CommandContext, command: RecordOrganizationInspection
) -> list[Decision]:
    session = Session(ctx)
    organization, unit = await session.organization(command.unit), await session.unit(command.unit)
    events = decide_inspect_organization(organization, unit, command, session.today)
    return await session.commit([change(organization_stream(command.unit), command.unit, *events)])

"""Target command handlers: load the unit's plan for the year, decide (domain/plans.py), return it."""

from __future__ import annotations

from contracts.outreach import SetTarget
from contracts.outreach_meetings import SetMeetingTarget
from contracts.outreach_submissions import SetQuota
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.outreach import tables
from services.outreach.aggregates import PLAN, plan_stream
from services.outreach.domain.plans import decide_set_meeting_target, decide_set_quota, decide_set_target


async def set_target(ctx: CommandContext, command: SetTarget) -> Decision:
    stream = plan_stream(command.unit, command.year)
    plan, version = await load(ctx, PLAN, (command.unit, command.year))
    events = decide_set_target(plan, await tables.UNITS.known(ctx.conn, command.unit), command)
    return Decision(stream, version, command.unit, events)


async def set_meeting_target(ctx: CommandContext, command: SetMeetingTarget) -> Decision:
    stream = plan_stream(command.unit, command.year)
    plan, version = await load(ctx, PLAN, (command.unit, command.year))
    events = decide_set_meeting_target(plan, await tables.UNITS.known(ctx.conn, command.unit), command)
    return Decision(stream, version, command.unit, events)


async def set_quota(ctx: CommandContext, command: SetQuota) -> Decision:
    stream = plan_stream(command.unit, command.year)
    plan, version = await load(ctx, PLAN, (command.unit, command.year))
    events = decide_set_quota(plan, await tables.UNITS.known(ctx.conn, command.unit), command)
    return Decision(stream, version, command.unit, events)

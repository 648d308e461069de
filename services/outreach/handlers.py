"""Outreach command handlers for activities and targets: load, decide, return the decision."""

from __future__ import annotations

from contracts.outreach import CorrectActivity, LogActivities, LogActivity, SetTarget, VoidActivity
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision, Handlers
from services.eventkit.localtime import local_date
from services.outreach import tables
from services.outreach.aggregates import ACTIVITY, PLAN, activity_stream, plan_stream
from services.outreach.bulk import log_activities
from services.outreach.domain import decide_correct_activity, decide_log_activity, decide_void_activity
from services.outreach.plans import decide_set_target
from services.outreach.publishing import PUBLICATION_HANDLERS


async def log_activity(ctx: CommandContext, command: LogActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, ACTIVITY, command.activity_id)
    known = await tables.unit_known(ctx.conn, command.unit)
    events = decide_log_activity(activity, known, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


async def correct_activity(ctx: CommandContext, command: CorrectActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, ACTIVITY, command.activity_id)
    events = decide_correct_activity(activity, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


async def void_activity(ctx: CommandContext, command: VoidActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, ACTIVITY, command.activity_id)
    return Decision(stream, version, command.unit, decide_void_activity(activity, command))


async def set_target(ctx: CommandContext, command: SetTarget) -> Decision:
    stream = plan_stream(command.unit, command.year)
    plan, version = await load(ctx, PLAN, (command.unit, command.year))
    events = decide_set_target(plan, await tables.unit_known(ctx.conn, command.unit), command)
    return Decision(stream, version, command.unit, events)


HANDLERS: Handlers = {
    LogActivity: log_activity,
    LogActivities: log_activities,
    CorrectActivity: correct_activity,
    VoidActivity: void_activity,
    SetTarget: set_target,
    **PUBLICATION_HANDLERS,
}

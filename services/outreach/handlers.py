"""Outreach command handlers for activities and targets: load, decide, return the decision."""

from __future__ import annotations

from contracts.outreach import CorrectActivity, LogActivities, LogActivity, SetTarget, VoidActivity
from services.eventkit.commanding import CommandContext, Decision, Handlers
from services.eventkit.localtime import local_date
from services.outreach.bulk import log_activities
from services.outreach.domain import (
    Activity,
    decide_correct_activity,
    decide_log_activity,
    decide_void_activity,
    evolve_activity,
)
from services.outreach.loading import activity_stream, load, plan_stream, unit_known
from services.outreach.plans import Plan, decide_set_target, evolve_plan
from services.outreach.publishing import PUBLICATION_HANDLERS


async def log_activity(ctx: CommandContext, command: LogActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, stream, Activity(), evolve_activity)
    known = await unit_known(ctx, command.unit)
    events = decide_log_activity(activity, known, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


async def correct_activity(ctx: CommandContext, command: CorrectActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, stream, Activity(), evolve_activity)
    events = decide_correct_activity(activity, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


async def void_activity(ctx: CommandContext, command: VoidActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, stream, Activity(), evolve_activity)
    return Decision(stream, version, command.unit, decide_void_activity(activity, command))


async def set_target(ctx: CommandContext, command: SetTarget) -> Decision:
    stream = plan_stream(command.unit, command.year)
    plan, version = await load(ctx, stream, Plan(targets={}), evolve_plan)
    events = decide_set_target(plan, await unit_known(ctx, command.unit), command)
    return Decision(stream, version, command.unit, events)


__all__ = ["HANDLERS", "activity_stream"]  # activity_stream: the benchmark names streams with it

HANDLERS: Handlers = {
    LogActivity: log_activity,
    LogActivities: log_activities,
    CorrectActivity: correct_activity,
    VoidActivity: void_activity,
    SetTarget: set_target,
    **PUBLICATION_HANDLERS,
}

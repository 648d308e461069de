"""Activity command handlers: load the activity, decide (domain/activities.py), return the decision."""

from __future__ import annotations

from contracts.outreach import CorrectActivity, LogActivity, VoidActivity
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date
from services.outreach import tables
from services.outreach.aggregates import ACTIVITY, activity_stream
from services.outreach.domain.activities import (
    decide_correct_activity,
    decide_log_activity,
    decide_void_activity,
)


async def log_activity(ctx: CommandContext, command: LogActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, ACTIVITY, command.activity_id)
    known = await tables.UNITS.known(ctx.conn, command.unit)
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

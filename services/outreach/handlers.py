"""Outreach command handlers: load, decide, return the decision."""

from __future__ import annotations

from contracts.outreach import LogActivity
from contracts.registry import REGISTRY
from services.eventkit.commanding import CommandContext, Decision, Handlers
from services.eventkit.localtime import local_date
from services.outreach.domain import Activity, decide_log_activity, evolve_activity


def activity_stream(activity_id: str) -> str:
    return f"activity:{activity_id}"


async def log_activity(ctx: CommandContext, command: LogActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = Activity(), 0
    for stored in await ctx.store.read_stream(stream, conn=ctx.conn):
        activity, version = (
            evolve_activity(activity, REGISTRY.decode(stored.envelope)),
            stored.envelope.streamversion,
        )
    unit_known = bool(
        await ctx.conn.fetchval("SELECT true FROM outreach.known_units WHERE path = $1", command.unit)
    )
    events = decide_log_activity(activity, unit_known, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


HANDLERS: Handlers = {LogActivity: log_activity}

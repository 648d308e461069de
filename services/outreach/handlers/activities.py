"""Activity command handlers: load the activity, decide (domain/activities.py), return the decision."""

from __future__ import annotations

from contracts.outreach import CorrectActivity, LogActivity, VoidActivity
from services.eventkit.aggregates import load, loads
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date
from services.outreach import tables
from services.outreach.aggregates import ACTIVITY, TAXONOMY, activity_stream
from services.outreach.domain.activities import (
    decide_correct_activity,
    decide_log_activity,
    decide_void_activity,
)
from services.outreach.domain.taxonomy import Taxonomy, city_of


async def city_taxonomy(ctx: CommandContext, unit: str) -> Taxonomy:
    """The activity taxonomy of the unit's city (read only when a command names or changes a subtype)."""
    taxonomy, _ = await load(ctx, TAXONOMY, city_of(unit))
    return taxonomy


@loads(ACTIVITY, lambda command: command.activity_id)
async def log_activity(ctx: CommandContext, command: LogActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, ACTIVITY, command.activity_id)
    known = await tables.UNITS.known_on(ctx.conn, command.unit, command.held_on)
    taxonomy = await city_taxonomy(ctx, command.unit) if command.subtype else Taxonomy()
    events = decide_log_activity(activity, known, local_date(ctx.now), command, taxonomy=taxonomy)
    return Decision(stream, version, command.unit, events)


@loads(ACTIVITY, lambda command: command.activity_id)
async def correct_activity(ctx: CommandContext, command: CorrectActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, ACTIVITY, command.activity_id)
    changes_type = bool({"kind", "subtype"} & command.model_fields_set)
    taxonomy = await city_taxonomy(ctx, command.unit) if changes_type else Taxonomy()
    events = decide_correct_activity(activity, local_date(ctx.now), command, taxonomy)
    return Decision(stream, version, command.unit, events)


@loads(ACTIVITY, lambda command: command.activity_id)
async def void_activity(ctx: CommandContext, command: VoidActivity) -> Decision:
    stream = activity_stream(command.activity_id)
    activity, version = await load(ctx, ACTIVITY, command.activity_id)
    return Decision(stream, version, command.unit, decide_void_activity(activity, command))

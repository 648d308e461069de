"""Taxonomy command handlers: load the city's taxonomy, decide (domain/taxonomy.py), return the decision."""

from __future__ import annotations

from contracts.outreach_taxonomy import DefineActivitySubtype, RetireActivitySubtype
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.outreach import tables
from services.outreach.aggregates import TAXONOMY, taxonomy_stream
from services.outreach.domain.taxonomy import decide_define_subtype, decide_retire_subtype


async def define_activity_subtype(ctx: CommandContext, command: DefineActivitySubtype) -> Decision:
    taxonomy, version = await load(ctx, TAXONOMY, command.unit)
    events = decide_define_subtype(taxonomy, await tables.UNITS.known(ctx.conn, command.unit), command)
    return Decision(taxonomy_stream(command.unit), version, command.unit, events)


async def retire_activity_subtype(ctx: CommandContext, command: RetireActivitySubtype) -> Decision:
    taxonomy, version = await load(ctx, TAXONOMY, command.unit)
    events = decide_retire_subtype(taxonomy, await tables.UNITS.known(ctx.conn, command.unit), command)
    return Decision(taxonomy_stream(command.unit), version, command.unit, events)

"""Duty command handlers: load the aggregate, decide, hand the events back to be appended."""

from __future__ import annotations

from contracts.duty import RegisterUnit
from contracts.registry import REGISTRY
from contracts.units import parent_of
from services.duty.domain import Unit, decide_register_unit, evolve_unit
from services.eventkit.commanding import CommandContext, Decision, Handlers


def unit_stream(path: str) -> str:
    return f"unit:{path}"


async def load_unit(ctx: CommandContext, path: str) -> tuple[Unit, int]:
    unit, version = Unit(), 0
    for stored in await ctx.store.read_stream(unit_stream(path), conn=ctx.conn):
        unit, version = evolve_unit(unit, REGISTRY.decode(stored.envelope)), stored.envelope.streamversion
    return unit, version


async def register_unit(ctx: CommandContext, command: RegisterUnit) -> Decision:
    unit, version = await load_unit(ctx, command.path)
    parent_path = parent_of(command.path)
    parent = (await load_unit(ctx, parent_path))[0] if parent_path else None
    events = decide_register_unit(unit, parent, command)
    return Decision(unit_stream(command.path), version, command.path, events)


HANDLERS: Handlers = {RegisterUnit: register_unit}

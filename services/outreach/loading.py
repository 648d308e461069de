"""Where outreach's aggregates live (stream ids) and how a handler loads one, plus lookups of what
outreach has learned from duty's events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from contracts.registry import REGISTRY, DomainEvent
from services.eventkit.commanding import CommandContext

State = TypeVar("State")


def activity_stream(activity_id: str) -> str:
    return f"activity:{activity_id}"


def plan_stream(unit: str, year: int) -> str:
    return f"plan:{unit}:{year}"


def publication_stream(publication_id: str) -> str:
    return f"publication:{publication_id}"


async def load(
    ctx: CommandContext, stream: str, initial: State, evolve: Callable[[State, DomainEvent], State]
) -> tuple[State, int]:
    """The aggregate's state from its stream, and the stream's version."""
    state, version = initial, 0
    for stored in await ctx.store.read_stream(stream, conn=ctx.conn):
        state, version = evolve(state, REGISTRY.decode(stored.envelope)), stored.envelope.streamversion
    return state, version


async def unit_known(ctx: CommandContext, unit: str) -> bool:
    return bool(await ctx.conn.fetchval("SELECT true FROM outreach.known_units WHERE path = $1", unit))

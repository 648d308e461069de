"""Loading aggregates through one spec (services/eventkit/aggregates.py) from the real PostgreSQL
store: state and version from the stream, a fresh initial state per load, and ``load_many`` giving
exactly what ``load`` gives, key by key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from contracts.commands import Actor, Role
from contracts.outreach import ActivityLogged
from contracts.registry import DomainEvent
from services.eventkit.aggregates import aggregate, aggregate_with_ids, load, load_many
from services.eventkit.commanding import CommandContext
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from tests.eventkit.events import batch

ACTOR = Actor(id="tester", scope="3205", roles=frozenset({Role.ADMIN}))


def activity_stream(key: str) -> str:
    return f"activity:{key}"


def audiences(state: dict[str, int], event: DomainEvent) -> dict[str, int]:
    """Mutates its state in place, as a careless evolve might: loads must not share the initial state."""
    assert isinstance(event, ActivityLogged)  # decoded to the typed event before evolve sees it
    state[event.activity_id] = event.audience
    return state


AUDIENCES = aggregate(activity_stream, dict, audiences)


@pytest.fixture
async def ctx(database_url: str) -> AsyncIterator[CommandContext]:
    pool = await create_pool(database_url, max_size=2)
    async with pool.acquire() as conn:
        await migrate(conn, "loadtest", service_migrations(None))
    store = PostgresEventStore(pool, "loadtest")
    await store.append("activity:a", 0, batch("activity:a", 0, 3, audience=7))
    await store.append("activity:b", 0, batch("activity:b", 0, 1, audience=9))
    async with pool.acquire() as conn:
        yield CommandContext(conn, store, ACTOR, datetime(2026, 3, 2, tzinfo=UTC))
    await pool.close()


async def test_load_folds_the_stream_in_order_and_gives_its_version(ctx: CommandContext) -> None:
    state, version = await load(ctx, AUDIENCES, "a")
    assert version == 3
    assert list(state) == ["activity:a-1", "activity:a-2", "activity:a-3"]  # stream version order


async def test_an_unknown_stream_is_the_initial_state_at_version_zero(ctx: CommandContext) -> None:
    assert await load(ctx, AUDIENCES, "never-written") == ({}, 0)


async def test_every_load_starts_from_a_fresh_initial_state(ctx: CommandContext) -> None:
    await load(ctx, AUDIENCES, "a")
    state, _ = await load(ctx, AUDIENCES, "b")
    assert state == {"activity:b-1": 9}  # nothing of stream a leaks through a shared initial dict


async def test_load_many_equals_load_key_by_key(ctx: CommandContext) -> None:
    many = await load_many(ctx, AUDIENCES, ["b", "a", "never-written"])
    assert set(many) == {"a", "b", "never-written"}
    for key, loaded in many.items():
        assert loaded == await load(ctx, AUDIENCES, key)
    assert many["never-written"] == ({}, 0)


async def test_a_spec_with_ids_sees_each_stored_event_id(ctx: CommandContext) -> None:
    def cite(state: tuple[str, ...], event: DomainEvent, event_id: str) -> tuple[str, ...]:
        return (*state, event_id)

    cited = aggregate_with_ids(activity_stream, tuple, cite)
    state, version = await load(ctx, cited, "a")
    stored = await ctx.store.read_stream("activity:a", conn=ctx.conn)
    assert (state, version) == (tuple(e.envelope.id for e in stored), 3)

"""Crashes at every point where an event moves: each event still takes effect exactly once.

A fault hook raises SimulatedCrash (a BaseException nothing catches) at a named point; the crashed
component is then replaced by a fresh instance that knows only what PostgreSQL and JetStream hold,
exactly as after a process restart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from prometheus_client import REGISTRY

from services.eventkit.consumer import Reaction, ReactionConsumer
from services.eventkit.faults import SimulatedCrash
from services.eventkit.projector import ProjectorRunner
from services.eventkit.relay import CHECKPOINT, Relay
from services.eventkit.store import CommitPosition
from tests.eventkit.counting import CountingProjector, counting_handler, create_effects_table, effect_counts
from tests.eventkit.events import batch
from tests.eventkit.rig import Rig, rig, stream_documents, stream_event_ids
from tests.helpers import wait_until


def crash_once_at(point: str) -> Callable[[str], None]:
    fired: list[str] = []

    def hook(reached: str) -> None:
        if reached == point and not fired:
            fired.append(reached)
            raise SimulatedCrash(point)

    return hook


async def append_events(r: Rig, streams: int = 3, per_stream: int = 10) -> list[str]:
    ids: list[str] = []
    for index in range(streams):
        events = batch(f"crash-{index}", 0, per_stream)
        await r.store.append(f"crash-{index}", 0, events)
        ids += [e.id for e in events]
    return ids


async def relay_everything(r: Rig) -> None:
    relay = Relay(r.store, r.js, "kit")
    while await relay.publish_batch():
        pass


@pytest.mark.parametrize("point", ["before_publish", "after_publish"])
async def test_relay_crash_then_restart_publishes_each_event_once(
    nats_url: str, database_url: str, point: str
) -> None:
    async with rig(nats_url, database_url) as r:
        ids = await append_events(r)
        with pytest.raises(SimulatedCrash):
            await Relay(r.store, r.js, "kit", batch_size=1000, fault=crash_once_at(point)).publish_batch()
        published_before_restart = sum((await stream_event_ids(r.js)).values())
        assert published_before_restart == (len(ids) if point == "after_publish" else 0)
        assert await r.store.load_checkpoint(CHECKPOINT) == CommitPosition()  # progress never recorded

        await relay_everything(r)  # the restarted relay

        in_stream = await stream_event_ids(r.js)
        assert sorted(in_stream) == sorted(ids)
        assert set(in_stream.values()) == {1}


def crash_at_nth(point: str, n: int) -> Callable[[str], None]:
    reached: list[str] = []

    def hook(name: str) -> None:
        if name == point:
            reached.append(name)
            if len(reached) == n:
                raise SimulatedCrash(point)

    return hook


async def test_pipelined_relay_crash_keeps_progress_of_settled_batches_only(
    nats_url: str, database_url: str
) -> None:
    """Two batches in flight: a crash while settling the second leaves the checkpoint after the first,
    and the restarted relay publishes the rest; the stream holds every event once, in commit order."""
    async with rig(nats_url, database_url) as r:
        ids = await append_events(r, streams=5, per_stream=10)  # 50 events: five batches of 10
        relay = Relay(r.store, r.js, "kit", batch_size=10, fault=crash_at_nth("after_publish", 2))
        with pytest.raises(SimulatedCrash):
            await relay.drain()
        committed = await r.store.read_committed(CommitPosition(), 100)
        assert await r.store.load_checkpoint(CHECKPOINT) == committed[9].commit  # the first batch only

        restarted = Relay(r.store, r.js, "kit", batch_size=10)
        assert await restarted.drain() == 40
        assert await r.store.load_checkpoint(CHECKPOINT) == committed[-1].commit

        in_stream = await stream_event_ids(r.js)
        assert sorted(in_stream) == sorted(ids)
        assert set(in_stream.values()) == {1}
        order = [document["id"] for document in await stream_documents(r.js)]
        assert order == [stored.envelope.id for stored in committed]


async def test_consumer_crash_after_commit_before_ack_takes_effect_once(
    nats_url: str, database_url: str
) -> None:
    async with rig(nats_url, database_url) as r:
        await create_effects_table(r.pool, r.schema)
        ids = await append_events(r)
        await relay_everything(r)
        reaction = Reaction(
            name="kit-crash", filter_subjects=["sanji.ev.>"], handler=counting_handler(r.schema), ack_wait=1.0
        )
        duplicates_before = (
            REGISTRY.get_sample_value(
                "sanji_events_handled_total", {"consumer": "kit-crash", "outcome": "duplicate"}
            )
            or 0.0
        )

        stop = asyncio.Event()
        crashed = asyncio.create_task(
            ReactionConsumer(r.js, r.pool, r.schema, reaction, fault=crash_once_at("after_commit")).run(stop)
        )
        with pytest.raises(SimulatedCrash):
            await asyncio.wait_for(crashed, 30)
        assert len(await effect_counts(r.pool, r.schema)) >= 1  # committed (a whole batch), never acked

        restarted = asyncio.create_task(ReactionConsumer(r.js, r.pool, r.schema, reaction).run(stop))

        async def all_applied() -> bool:
            return len(await effect_counts(r.pool, r.schema)) == len(ids)

        def redelivery_skipped() -> bool:
            value = REGISTRY.get_sample_value(
                "sanji_events_handled_total", {"consumer": "kit-crash", "outcome": "duplicate"}
            )
            return (value or 0.0) > duplicates_before

        try:
            await wait_until(all_applied, message="not every event was applied after the restart")
            await wait_until(redelivery_skipped, message="the unacked message was never redelivered")
        finally:
            stop.set()
            await restarted
        effects = await effect_counts(r.pool, r.schema)
        assert set(effects) == set(ids)
        assert set(effects.values()) == {1}


async def test_projector_crash_mid_batch_applies_each_event_once(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url) as r:
        await create_effects_table(r.pool, r.schema)
        ids = await append_events(r)
        await relay_everything(r)
        stop = asyncio.Event()
        crashing = ProjectorRunner(
            r.js,
            r.pool,
            r.schema,
            [CountingProjector()],
            batch_size=7,
            fault=crash_once_at("before_checkpoint"),
        )
        with pytest.raises(SimulatedCrash):
            await asyncio.wait_for(crashing.run(stop), 30)
        assert await effect_counts(r.pool, r.schema) == {}  # the batch rolled back with its checkpoint

        runner = ProjectorRunner(r.js, r.pool, r.schema, [CountingProjector()], batch_size=7)
        task = asyncio.create_task(runner.run(stop))

        async def all_applied() -> bool:
            return len(await effect_counts(r.pool, r.schema)) == len(ids)

        try:
            await wait_until(all_applied, message="projector did not catch up after the crash")
        finally:
            stop.set()
            await task
        effects = await effect_counts(r.pool, r.schema)
        assert set(effects.values()) == {1}
        assert await runner.checkpoint() == len(ids)

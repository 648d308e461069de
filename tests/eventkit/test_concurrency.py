"""Concurrent writers: optimistic concurrency on one stream, and no event skipped or doubled when many
transactions commit out of insert order while the relay and a projector run (design trap 1)."""

from __future__ import annotations

import asyncio
import random

import pytest

from services.eventkit.projector import ProjectorRunner
from services.eventkit.relay import Relay
from services.eventkit.store import WrongExpectedVersion
from tests.eventkit.counting import CountingProjector, create_effects_table, effect_counts
from tests.eventkit.events import batch
from tests.eventkit.rig import rig, stream_documents, stream_event_ids
from tests.helpers import wait_until

WRITERS = 20


async def test_twenty_writers_on_one_stream_exactly_one_wins_each_version(
    nats_url: str, database_url: str
) -> None:
    async with rig(nats_url, database_url) as r:
        for version in range(10):
            start = asyncio.Event()

            async def contend(expected: int = version, start: asyncio.Event = start) -> bool:
                await start.wait()
                try:
                    await r.store.append("contested", expected, batch("contested", expected, 1))
                except WrongExpectedVersion:
                    return False
                return True

            contenders = [asyncio.create_task(contend()) for _ in range(WRITERS)]
            await asyncio.sleep(0)
            start.set()
            outcomes = await asyncio.gather(*contenders)
            assert outcomes.count(True) == 1, f"version {version + 1}: {outcomes.count(True)} winners"
        stored = await r.store.read_stream("contested")
        assert [e.envelope.streamversion for e in stored] == list(range(1, 11))


@pytest.mark.slow
async def test_late_commits_are_relayed_and_projected_exactly_once(nats_url: str, database_url: str) -> None:
    rounds, per_round = 15, 5
    async with rig(nats_url, database_url, pool_size=WRITERS + 10) as r:
        await create_effects_table(r.pool, r.schema)
        stop = asyncio.Event()
        relay = Relay(r.store, r.js, "kit", batch_size=50, idle_poll=0.01)
        runner = ProjectorRunner(r.js, r.pool, r.schema, [CountingProjector()], batch_size=40)
        workers = [asyncio.create_task(relay.run(stop)), asyncio.create_task(runner.run(stop))]
        rng = random.Random(7)
        written: list[str] = []

        async def writer(index: int) -> None:
            stream = f"writer-{index}"
            for round_number in range(rounds):
                events = batch(stream, round_number * per_round, per_round)
                async with r.store.transaction() as conn:
                    await r.store.append(stream, round_number * per_round, events, conn=conn)
                    # Hold the transaction open: positions taken now commit after later ones.
                    await asyncio.sleep(rng.uniform(0, 0.03))
                written.extend(e.id for e in events)

        total = WRITERS * rounds * per_round

        async def projected_all() -> bool:
            return len(await effect_counts(r.pool, r.schema)) == total

        try:
            await asyncio.gather(*(writer(i) for i in range(WRITERS)))
            await wait_until(projected_all, timeout=60, message="not every event reached the projector")
        finally:
            stop.set()
            await asyncio.gather(*workers)

        documents = await stream_documents(r.js)
        last_version: dict[str, int] = {}
        for document in documents:  # each stream's events reach JetStream in version order
            assert document["streamversion"] == last_version.get(document["subject"], 0) + 1
            last_version[document["subject"]] = document["streamversion"]
        in_stream = await stream_event_ids(r.js)
        assert set(in_stream) == set(written)
        assert all(count == 1 for count in in_stream.values()), "an event was published twice"
        effects = await effect_counts(r.pool, r.schema)
        assert set(effects) == set(written)
        assert all(times == 1 for times in effects.values()), "an event took effect twice"

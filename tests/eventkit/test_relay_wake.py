"""The relay is woken by its own process's commits, not by its poll: with a poll far longer than the
test's deadline, an appended event still reaches JetStream."""

from __future__ import annotations

import asyncio

from contracts.envelope import EventEnvelope
from services.eventkit.relay import Relay
from tests.eventkit.events import batch
from tests.eventkit.rig import Rig, rig, stream_event_ids
from tests.helpers import wait_until

NEVER = 3600.0  # seconds: the relay's poll never fires during the test


async def test_a_commit_wakes_the_relay(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url) as r:
        relay = Relay(r.store, r.js, "kit", idle_poll=NEVER)
        stop = asyncio.Event()
        running = asyncio.create_task(relay.run(stop))
        try:
            await wait_until(lambda: relay.position is not None)  # its first (empty) drain is done
            through_transaction = batch("wake-1", 0, 2)
            async with r.store.transaction() as conn:  # the command bus's, timers' and rescorer's way
                await r.store.append("wake-1", 0, through_transaction, conn=conn)
            await wait_until(
                lambda: has_all(r, through_transaction),
                message="a committed transaction did not wake the relay",
            )
            on_its_own = batch("wake-2", 0, 1)
            await r.store.append("wake-2", 0, on_its_own)  # the store's own transaction
            await wait_until(lambda: has_all(r, on_its_own), message="an append did not wake the relay")
        finally:
            stop.set()
            await running


async def has_all(r: Rig, envelopes: list[EventEnvelope]) -> bool:
    in_stream = await stream_event_ids(r.js)
    return all(in_stream[envelope.id] == 1 for envelope in envelopes)

"""One relay publishes a schema's events at a time (a session advisory lock); a stopped relay hands over.
The pool does not reset sessions on release (services/eventkit/db.py), so the lock's holder must let
go itself, or discard its connection when interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from functools import partial

from services.eventkit.relay import Relay
from tests.eventkit.events import batch
from tests.eventkit.rig import Rig, rig, stream_event_ids
from tests.helpers import wait_until


async def test_a_second_relay_stands_by_until_the_first_stops(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url, schema="relaylock") as r:
        first = Relay(r.store, r.js, "kit", idle_poll=0.05)
        second = Relay(r.store, r.js, "kit", idle_poll=0.05)
        stop_first, stop_second = asyncio.Event(), asyncio.Event()
        running_first = asyncio.create_task(first.run(stop_first))
        await wait_until(lambda: first.position is not None)
        running_second = asyncio.create_task(second.run(stop_second))
        try:
            while_first = batch("lock-1", 0, 2)
            await r.store.append("lock-1", 0, while_first)
            await wait_until(lambda: published_once(r, [e.id for e in while_first]))
            assert second.position is None, "the second relay published while the first held the lock"
            assert await advisory_locks(r, relay_key(r)) == 1

            stop_first.set()
            await running_first
            after_first = batch("lock-2", 0, 2)
            await r.store.append("lock-2", 0, after_first)
            await wait_until(
                lambda: published_once(r, [e.id for e in after_first]),
                message="the standing-by relay did not take over",
            )
            assert second.position is not None
            assert await advisory_locks(r, relay_key(r)) == 1  # the second's; the first's went with its stop
            assert (await stream_event_ids(r.js))[while_first[0].id] == 1  # nothing published twice
        finally:
            stop_first.set()
            stop_second.set()
            await asyncio.gather(running_first, running_second)
        assert await advisory_locks(r, relay_key(r)) == 0


async def test_a_relay_cancelled_while_taking_the_lock_leaves_none(nats_url: str, database_url: str) -> None:
    """Cancelled at any point of its start (here after 0 … 39 turns of the loop), a relay leaves no lock:
    a try-lock cancelled in flight may still have been granted on the server."""
    async with rig(nats_url, database_url, schema="relaylock", pool_size=4) as r:
        for turns in range(40):
            relay = Relay(r.store, r.js, "kit", idle_poll=0.05)
            running = asyncio.create_task(relay.run(asyncio.Event()))
            for _ in range(turns):
                await asyncio.sleep(0)
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
            await wait_until(
                partial(no_locks, r, relay_key(r)),
                timeout=5,
                message=f"cancelled after {turns} turns, the relay left its lock on a pooled connection",
            )


async def published_once(r: Rig, event_ids: list[str]) -> bool:
    in_stream = await stream_event_ids(r.js)
    return all(in_stream[event_id] == 1 for event_id in event_ids)


def relay_key(r: Rig) -> int:
    return zlib.crc32(f"sanji-relay:{r.schema}".encode())


async def advisory_locks(r: Rig, key: int) -> int:
    query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1"
    return int(await r.pool.fetchval(query, key))


async def no_locks(r: Rig, key: int) -> bool:
    return await advisory_locks(r, key) == 0

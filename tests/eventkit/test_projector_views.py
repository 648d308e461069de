"""One runner for several views: each event reaches every view once, each view keeps its own checkpoint
(so views that ran apart, as before one runner served them all, resume each from its own), and a view
that names its event types sees only those."""

from __future__ import annotations

import asyncio

import asyncpg

from contracts.subjects import EVENTS_STREAM
from services.eventkit.db import Conn
from services.eventkit.projector import Delivered, ProjectorRunner
from tests.eventkit.events import batch
from tests.eventkit.rig import rig
from tests.eventkit.test_crashes import append_events, relay_everything
from tests.helpers import wait_until

TABLE = (
    "CREATE TABLE {schema}.view_effects"
    " (view text, event_id text, seq bigint, times integer NOT NULL, PRIMARY KEY (view, event_id))"
)


class TaggedView:
    def __init__(self, name: str, event_types: frozenset[str] | None = None) -> None:
        self.name = name
        if event_types is not None:
            self.event_types = event_types

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        await conn.executemany(
            f"INSERT INTO {schema}.view_effects (view, event_id, seq, times) VALUES ($1, $2, $3, 1)"
            " ON CONFLICT (view, event_id) DO UPDATE SET times = view_effects.times + 1",
            [(self.name, d.envelope.id, d.seq) for d in batch],
        )


async def effects(pool: asyncpg.Pool, schema: str, view: str) -> dict[int, int]:
    rows = await pool.fetch(f"SELECT seq, times FROM {schema}.view_effects WHERE view = $1", view)
    return {row["seq"]: row["times"] for row in rows}


async def test_each_view_gets_each_event_once_from_its_own_checkpoint(
    nats_url: str, database_url: str
) -> None:
    async with rig(nats_url, database_url) as r:
        await r.pool.execute(TABLE.format(schema=r.schema))
        ids = await append_events(r)  # 30 events
        await relay_everything(r)
        # "ahead" already applied the first 12 events under its own runner; "behind" none.
        await r.pool.execute(f"INSERT INTO {r.schema}.stream_checkpoints (name, seq) VALUES ('ahead', 12)")
        nothing = TaggedView("nothing", event_types=frozenset({"kit.not_this"}))
        runner = ProjectorRunner(
            r.js, r.pool, r.schema, [TaggedView("behind"), TaggedView("ahead"), nothing], batch_size=7
        )
        assert await runner.checkpoint() == 0
        assert await runner.catch_up() == len(ids)

        behind, ahead = await effects(r.pool, r.schema, "behind"), await effects(r.pool, r.schema, "ahead")
        assert behind == dict.fromkeys(range(1, 31), 1)
        assert ahead == dict.fromkeys(range(13, 31), 1)
        assert await effects(r.pool, r.schema, "nothing") == {}
        rows = await r.pool.fetch(f"SELECT name, seq FROM {r.schema}.stream_checkpoints")
        checkpoints = {row["name"]: row["seq"] for row in rows}
        assert checkpoints == {"ahead": 30, "behind": 30, "nothing": 30}  # it read past what it does not want


async def test_a_runner_whose_consumer_is_deleted_resumes_from_its_checkpoint(
    nats_url: str, database_url: str
) -> None:
    """Someone deletes the projector's consumer while it waits for events: the server ends its request
    (409), the runner starts again from its PostgreSQL checkpoint, and events stored meanwhile are
    applied once each."""
    async with rig(nats_url, database_url) as r:
        await r.pool.execute(TABLE.format(schema=r.schema))
        await append_events(r, streams=1)
        await relay_everything(r)
        runner = ProjectorRunner(r.js, r.pool, r.schema, [TaggedView("gone")], batch_size=4)
        stop = asyncio.Event()
        running = asyncio.create_task(runner.run(stop))
        try:
            await wait_until(lambda: applied_through(r.pool, r.schema, 10), timeout=20)
            consumers = await r.js.consumers_info(EVENTS_STREAM)
            for consumer in consumers:
                await r.js.delete_consumer(EVENTS_STREAM, consumer.name)
            await r.store.append("crash-after", 0, batch("crash-after", 0, 5))
            await relay_everything(r)
            await wait_until(lambda: applied_through(r.pool, r.schema, 15), timeout=30)
        finally:
            stop.set()
            await running
        assert await effects(r.pool, r.schema, "gone") == dict.fromkeys(range(1, 16), 1)


async def applied_through(pool: asyncpg.Pool, schema: str, seq: int) -> bool:
    found = await pool.fetchval(f"SELECT seq FROM {schema}.stream_checkpoints WHERE name = 'gone'")
    return bool(found is not None and found >= seq)

"""Bulk appends (one command writing many streams) keep every single-stream guarantee."""

from __future__ import annotations

import pytest

from services.eventkit.chaincheck import verify_chains
from services.eventkit.store import WrongExpectedVersion
from tests.eventkit.events import batch
from tests.eventkit.rig import rig


async def test_insert_many_appends_all_or_nothing(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url) as r:
        await r.store.append("b-1", 0, batch("b-1", 0, 2))
        async with r.store.transaction() as conn:
            results = await r.store.insert_many(
                conn,
                [
                    ("b-1", 2, batch("b-1", 2, 1)),
                    ("b-2", 0, batch("b-2", 0, 3)),
                    ("b-3", 0, batch("b-3", 0, 1)),
                ],
            )
        assert [(x.stream_id, x.version) for x in results] == [("b-1", 3), ("b-2", 3), ("b-3", 1)]

        with pytest.raises(WrongExpectedVersion):  # one stale stream refuses the whole bulk
            async with r.store.transaction() as conn:
                await r.store.insert_many(
                    conn, [("b-4", 0, batch("b-4", 0, 1)), ("b-2", 1, batch("b-2", 1, 1))]
                )
        streams = await r.store.read_streams(["b-1", "b-2", "b-3", "b-4"])
        assert {k: len(v) for k, v in streams.items()} == {"b-1": 3, "b-2": 3, "b-3": 1, "b-4": 0}
        assert (await verify_chains(r.pool, r.schema)).intact


async def test_events_are_appended_only_in_a_registered_writer_transaction(
    nats_url: str, database_url: str
) -> None:
    # A transaction that did not register as a writer before taking a transaction id could commit
    # behind the relay's horizon: the store refuses to append in it.
    async with rig(nats_url, database_url) as r:
        with pytest.raises(RuntimeError, match="only inside"):
            async with r.pool.acquire() as conn, conn.transaction():
                await r.store.append("w-1", 0, batch("w-1", 0, 1), conn=conn)
        assert await r.store.read_stream("w-1") == []

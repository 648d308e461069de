"""`sanji verify`: an altered or deleted stored event breaks its stream's hash chain, and the report
names the first broken link."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.eventkit.chaincheck import verify_chains
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from tests.eventkit.events import batch


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[PostgresEventStore]:
    pool = await create_pool(database_url, max_size=2)
    async with pool.acquire() as conn:
        await migrate(conn, "chain", service_migrations(None))
    store = PostgresEventStore(pool, "chain")
    for stream in ("a", "b", "c"):
        await store.append(stream, 0, batch(stream, 0, 4))
    yield store
    await pool.close()


async def test_intact_store_verifies(store: PostgresEventStore) -> None:
    report = await verify_chains(store.pool, "chain", page=5)
    assert report.intact
    assert (report.streams, report.events) == (3, 12)


async def test_altered_event_is_named(store: PostgresEventStore) -> None:
    await store.pool.execute(
        "UPDATE chain.events SET envelope = jsonb_set(envelope, '{data,audience}', '999')"
        " WHERE stream_id = 'b' AND stream_version = 3"
    )
    report = await verify_chains(store.pool, "chain", page=5)
    assert report.broken is not None
    assert (report.broken.stream_id, report.broken.stream_version) == ("b", 3)
    assert "hash does not match" in report.broken.reason


async def test_deleted_event_is_named(store: PostgresEventStore) -> None:
    await store.pool.execute("DELETE FROM chain.events WHERE stream_id = 'c' AND stream_version = 2")
    report = await verify_chains(store.pool, "chain")
    assert report.broken is not None
    assert (report.broken.stream_id, report.broken.stream_version) == ("c", 3)
    assert "version 2 is missing" in report.broken.reason

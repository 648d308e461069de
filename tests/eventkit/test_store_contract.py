"""One contract suite for every EventStore implementation: the in-memory fake is proven to behave
like the PostgreSQL store (optimistic concurrency, idempotency, ordering, hash chain)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.eventkit.db import create_pool
from services.eventkit.hashchain import GENESIS, chain_hash
from services.eventkit.memstore import InMemoryEventStore
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.store import CommitPosition, EventStore, InvalidAppend, WrongExpectedVersion
from tests.eventkit.events import batch, envelope


@pytest.fixture(params=["memory", "postgres"])
async def store(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[EventStore]:
    if request.param == "memory":
        yield InMemoryEventStore()
        return
    pool = await create_pool(database_url, max_size=4)
    async with pool.acquire() as conn:
        await migrate(conn, "teststore", service_migrations(None))
    yield PostgresEventStore(pool, "teststore")
    await pool.close()


async def test_append_then_read_stream_in_version_order(store: EventStore) -> None:
    first = await store.append("s-1", 0, batch("s-1", 0, 2))
    second = await store.append("s-1", 2, batch("s-1", 2, 1))
    assert (first.version, second.version) == (2, 3)
    stored = await store.read_stream("s-1")
    assert [e.envelope.streamversion for e in stored] == [1, 2, 3]
    assert await store.read_stream("unknown") == []


async def test_wrong_expected_version_is_a_named_error_and_stores_nothing(store: EventStore) -> None:
    await store.append("s-1", 0, batch("s-1", 0, 1))
    with pytest.raises(WrongExpectedVersion) as raised:
        await store.append("s-1", 0, batch("s-1", 0, 1))
    assert (raised.value.expected, raised.value.actual) == (0, 1)
    assert len(await store.read_stream("s-1")) == 1


async def test_reappending_stored_ids_reports_already_stored(store: EventStore) -> None:
    events = batch("s-1", 0, 2)
    await store.append("s-1", 0, events)
    again = await store.append("s-1", 0, events)
    assert again.already_stored
    assert again.version == 2
    assert len(await store.read_stream("s-1")) == 2


async def test_appends_must_number_versions_contiguously(store: EventStore) -> None:
    with pytest.raises(InvalidAppend):
        await store.append("s-1", 0, [envelope("s-1", 2)])
    with pytest.raises(InvalidAppend):
        await store.append("s-1", 0, [envelope("other", 1)])
    assert await store.read_stream("s-1") == []


async def test_read_committed_is_in_commit_order_and_pages(store: EventStore) -> None:
    appended = []
    for stream in ("a", "b", "a", "c"):
        version = len(await store.read_stream(stream))
        events = batch(stream, version, 2)
        await store.append(stream, version, events)
        appended += [e.id for e in events]
    first = await store.read_committed(CommitPosition(), 5)
    rest = await store.read_committed(first[-1].commit, 100)
    assert [e.envelope.id for e in first + rest] == appended
    assert await store.read_committed(rest[-1].commit, 100) == []


async def test_hash_chain_links_each_event_to_the_previous_in_its_stream(store: EventStore) -> None:
    await store.append("s-1", 0, batch("s-1", 0, 3))
    stored = await store.read_stream("s-1")
    previous = GENESIS
    for event in stored:
        previous = chain_hash(previous, event.envelope.model_dump(mode="json"))
        assert event.hash == previous

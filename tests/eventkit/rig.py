"""A bare runtime rig for eventkit tests: one schema with the event-store tables, a NATS connection
with Sanji's streams, and helpers to read back what JetStream holds."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import nats
from nats.aio.client import Client as NatsClient
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.subjects import EVENTS_STREAM
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.streams import ensure_sanji_streams


@dataclass
class Rig:
    pool: asyncpg.Pool
    store: PostgresEventStore
    nc: NatsClient
    js: JetStreamContext
    schema: str


@asynccontextmanager
async def rig(
    nats_url: str, database_url: str, schema: str = "kit", pool_size: int = 30
) -> AsyncIterator[Rig]:
    pool = await create_pool(database_url, max_size=pool_size)
    async with pool.acquire() as conn:
        await migrate(conn, schema, service_migrations(None))
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_sanji_streams(js)
    try:
        yield Rig(pool, PostgresEventStore(pool, schema), nc, js, schema)
    finally:
        await nc.close()
        await pool.close()


async def stream_event_ids(js: JetStreamContext, stream: str = EVENTS_STREAM) -> Counter[str]:
    """How many times each event id sits in the stream."""
    return Counter(document["id"] for document in await stream_documents(js, stream))


async def stream_documents(js: JetStreamContext, stream: str = EVENTS_STREAM) -> list[dict]:  # type: ignore[type-arg]
    """Every message of the stream in stream order, decoded (read with an ephemeral consumer)."""
    info = await js.stream_info(stream)
    documents: list[dict] = []  # type: ignore[type-arg]
    if info.state.messages == 0:
        return documents
    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE)
    subscription = await js.pull_subscribe(
        (info.config.subjects or [">"])[0], durable=None, stream=stream, config=config
    )
    try:
        while len(documents) < info.state.messages:
            try:
                messages = await subscription.fetch(1000, timeout=2)
            except NatsTimeout:
                break
            for message in messages:
                documents.append(json.loads(message.data))
    finally:
        await subscription.unsubscribe()
    return documents

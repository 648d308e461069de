"""Raw floors: what JetStream and PostgreSQL manage on this machine with no Sanji code in the way.

Every floor moves the same bytes Sanji moves (real ActivityLogged envelopes, event-shaped rows with
the events table's indexes), so the ratios compare like with like.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from contracts.subjects import event_subject
from services.bench.sample import ActivityFactory
from services.eventkit.db import dumps
from services.eventkit.hashchain import GENESIS, chain_hash
from services.eventkit.streams import DUPLICATE_WINDOW_SECONDS

STREAM = "BENCH_FLOOR"
SUBJECT_PREFIX = "bench.floor"
SCHEMA = "bench_floor"
FETCH_BATCH = 500
COPY_CHUNK = 5000
COLUMNS = [
    "stream_id",
    "stream_version",
    "event_id",
    "event_type",
    "unitpath",
    "occurred_at",
    "envelope",
    "hash",
]


def table_sql(schema: str) -> str:
    """The events table of services/eventkit/sql/001_event_store.sql, minus what only Sanji needs."""
    return f"""
CREATE SCHEMA IF NOT EXISTS {schema};
DROP TABLE IF EXISTS {schema}.event_rows;
CREATE TABLE {schema}.event_rows (
    position bigserial PRIMARY KEY,
    tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id text NOT NULL,
    stream_version integer NOT NULL,
    event_id uuid NOT NULL UNIQUE,
    event_type text NOT NULL,
    unitpath text NOT NULL COLLATE "C",
    occurred_at timestamptz NOT NULL,
    envelope jsonb NOT NULL,
    hash bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX ON {schema}.event_rows (tx_id, position);
"""


TABLE_SQL = table_sql(SCHEMA)


@dataclass(frozen=True)
class FloorSizes:
    messages: int  # published, then fetched and acked, per round
    copy_rows: int  # per round
    insert_seconds: float  # per connection count and round
    rounds: int


@dataclass(frozen=True)
class Floors:
    rounds: list[dict[str, float]]
    payload_bytes: int  # the mean size of one published envelope

    @property
    def best(self) -> dict[str, float]:
        """Each floor's best round: what this machine can do. The same floor measured minutes apart
        differed by up to 2x here (other work on the host only ever slows a round down), and a
        floor read low makes every ratio against it look better than it is."""
        return {name: max(found[name] for found in self.rounds) for name in self.rounds[0]}

    def __add__(self, other: Floors) -> Floors:
        return Floors(self.rounds + other.rounds, self.payload_bytes)


async def measure_floors(nats_url: str, database_url: str, sizes: FloorSizes, units: list[str]) -> Floors:
    """Every floor in msgs, rows or commits per second, ``sizes.rounds`` rounds."""
    factory = ActivityFactory(units)
    envelopes = [factory.envelope() for _ in range(max(sizes.messages, sizes.copy_rows))]
    messages = [
        (f"{SUBJECT_PREFIX}.{event_subject(e.type, e.unitpath)}", e.model_dump_json().encode(), e.id)
        for e in envelopes[: sizes.messages]
    ]
    rows = [row_of(e.model_dump(mode="json")) for e in envelopes[: sizes.copy_rows]]
    rounds: list[dict[str, float]] = [{} for _ in range(sizes.rounds)]
    nc = await nats.connect(nats_url, name="sanji-bench-floor")
    try:
        js = nc.jetstream()
        for found in rounds:
            await js.add_stream(
                StreamConfig(
                    name=STREAM,
                    subjects=[f"{SUBJECT_PREFIX}.>"],
                    storage=StorageType.FILE,  # same storage and dedupe window as SANJI_EVENTS
                    duplicate_window=DUPLICATE_WINDOW_SECONDS,
                )
            )
            found["js_publish_msgs_per_s"] = await publish_floor(js, messages)
            found["js_fetch_ack_msgs_per_s"] = await fetch_ack_floor(js, len(messages))
            await js.delete_stream(STREAM)
    finally:
        await nc.close()
    pool = await asyncpg.create_pool(database_url, min_size=16, max_size=16)
    assert pool is not None
    try:
        await pool.execute(TABLE_SQL)
        for found in rounds:
            found["pg_copy_rows_per_s"] = await copy_floor(pool, rows)
            for connections in (1, 16):
                found[f"pg_insert_commits_per_s_{connections}conn"] = await insert_floor(
                    pool, rows[0], connections, sizes.insert_seconds
                )
        await pool.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    finally:
        await pool.close()
    payload_bytes = round(sum(len(m[1]) for m in messages) / len(messages))
    return Floors(rounds, payload_bytes)


async def publish_floor(js: JetStreamContext, messages: list[tuple[str, bytes, str]]) -> float:
    """publish_async with Nats-Msg-Id headers, as the relay publishes, awaiting every PubAck."""
    headers = [{"Nats-Msg-Id": msg_id, "Sanji-Type": "outreach.activity_logged"} for _, _, msg_id in messages]
    started = time.perf_counter()
    futures = [
        await js.publish_async(subject, payload, headers=header, stream=STREAM)
        for (subject, payload, _), header in zip(messages, headers, strict=True)
    ]
    acks = await asyncio.gather(*futures)
    elapsed = time.perf_counter() - started
    if len({ack.seq for ack in acks}) != len(messages) or any(ack.duplicate for ack in acks):
        raise RuntimeError("publish floor: not every message was stored once")
    return len(messages) / elapsed


async def fetch_ack_floor(js: JetStreamContext, expected: int) -> float:
    """A durable pull consumer fetching batches of 500 and acking each message."""
    config = ConsumerConfig(
        durable_name="bench-floor",
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        max_ack_pending=1000,  # as Sanji's reaction consumers
    )
    subscription = await js.pull_subscribe(
        f"{SUBJECT_PREFIX}.>", durable="bench-floor", stream=STREAM, config=config
    )
    received = 0
    started = time.perf_counter()
    try:
        while received < expected:
            try:
                batch = await subscription.fetch(FETCH_BATCH, timeout=5.0)
            except (NatsTimeout, TimeoutError):
                raise RuntimeError(f"fetch floor: only {received} of {expected} messages arrived") from None
            for message in batch:
                await message.ack()
            received += len(batch)
        elapsed = time.perf_counter() - started
    finally:
        await subscription.unsubscribe()
    return received / elapsed


def row_of(document: dict[str, Any]) -> tuple[Any, ...]:
    return (
        document["subject"],
        document["streamversion"],
        uuid.UUID(document["id"]),
        document["type"],
        document["unitpath"],
        datetime.fromisoformat(document["time"]),
        dumps(document),  # jsonb as text: asyncpg's own codec, binary for COPY
        chain_hash(GENESIS, document),
    )


async def copy_floor(pool: asyncpg.Pool, rows: list[tuple[Any, ...]], schema: str = SCHEMA) -> float:
    """copy_records_to_table in chunks of 5,000 rows, each chunk its own committed transaction."""
    async with pool.acquire() as conn:
        started = time.perf_counter()
        for start in range(0, len(rows), COPY_CHUNK):
            await conn.copy_records_to_table(
                "event_rows", schema_name=schema, columns=COLUMNS, records=rows[start : start + COPY_CHUNK]
            )
        elapsed = time.perf_counter() - started
        await conn.execute(f"TRUNCATE {schema}.event_rows")
    return len(rows) / elapsed


async def insert_floor(
    pool: asyncpg.Pool, template: tuple[Any, ...], connections: int, seconds: float
) -> float:
    """Single-row INSERTs, each its own committed transaction, from ``connections`` connections at once."""
    sql = f"INSERT INTO {SCHEMA}.event_rows ({', '.join(COLUMNS)}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    stream_id, _, _, *rest = template

    async def commit_loop(worker: int, until: float) -> int:
        done = 0
        async with pool.acquire() as conn:
            while time.perf_counter() < until:
                await conn.execute(sql, f"{stream_id}:{worker}:{done}", 1, uuid.uuid4(), *rest)
                done += 1
        return done

    started = time.perf_counter()
    counts = await asyncio.gather(*(commit_loop(w, started + seconds) for w in range(connections)))
    elapsed = time.perf_counter() - started
    await pool.execute(f"TRUNCATE {SCHEMA}.event_rows")
    return sum(counts) / elapsed

"""Rebuilding the projection into a fresh copy while the old one keeps serving.

1. Build schema ``projection_rebuild`` from scratch by replaying the event stream from sequence 1.
2. Take the projector's apply lock (live appliers wait), apply what arrived meanwhile, and swap the
   schemas by renaming them in the same transaction. Readers see either the old or the new copy.
The live runner finds its checkpoint in the new schema on its next batch and skips what it covers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import asyncpg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.subjects import EVENTS_STREAM, EVENTS_SUBJECTS
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.projector import Delivered, ProjectorRunner, apply_lock_key, decode
from services.eventkit.pull import PullReader
from services.eventkit.runtime import projector_worker
from services.projection.queries import SCHEMA

log = logging.getLogger(__name__)
FRESH = f"{SCHEMA}_rebuild"
RETIRED = f"{SCHEMA}_retired"


@dataclass(frozen=True)
class RebuildReport:
    checkpoint: int


async def rebuild_projection(js: JetStreamContext, pool: asyncpg.Pool) -> RebuildReport:
    from services.projection.app import projectors

    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {FRESH} CASCADE")
        await migrate(conn, FRESH, service_migrations("services.projection"))
    # The live runner's worker name: what the copy parks while replaying, the live service can retry.
    runner = ProjectorRunner(js, pool, FRESH, projectors(), batch_size=1000, worker=projector_worker(SCHEMA))
    await runner.catch_up()
    async with pool.acquire() as conn, conn.transaction():
        # Live appliers wait on these locks (taken in the runner's order); whatever they applied meanwhile
        # is applied to the copy too.
        for name in runner.names:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", apply_lock_key(name))
        live = await conn.fetch(
            f"SELECT name, seq FROM {SCHEMA}.stream_checkpoints WHERE name = ANY($1)", runner.names
        )
        latest = max((row["seq"] for row in live), default=0)
        missed = await read_range(js, await runner.checkpoint() + 1, latest, runner.batch_size)
        await runner.apply_in(conn, missed, latest)
        checkpoint = max(latest, await runner.checkpoint())
        await conn.execute(f"DROP SCHEMA IF EXISTS {RETIRED} CASCADE")
        await conn.execute(f"ALTER SCHEMA {SCHEMA} RENAME TO {RETIRED}")
        await conn.execute(f"ALTER SCHEMA {FRESH} RENAME TO {SCHEMA}")
        await conn.execute(f"DROP SCHEMA {RETIRED} CASCADE")
    log.info("projection rebuilt and swapped in", extra={"checkpoint": checkpoint})
    return RebuildReport(checkpoint=checkpoint)


async def read_range(js: JetStreamContext, first: int, last: int, batch: int) -> list[Delivered]:
    """The events with stream sequence ``first`` … ``last``, in order (the pull reader fails rather than
    skip one lost in flight)."""
    if last < first:
        return []
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=first,
        filter_subject=EVENTS_SUBJECTS,
        ack_policy=AckPolicy.NONE,
        max_waiting=1,
    )
    reader = await PullReader.open(js, EVENTS_STREAM, config, batch)
    found: list[Delivered] = []
    try:
        while not found or found[-1].seq < last:
            messages = await reader.take(5.0)
            if not messages:
                raise TimeoutError(f"events {first}…{last} did not come within 5 s")
            found += [
                Delivered(m.metadata.sequence.stream, decode(m.data, m.metadata.sequence.stream))
                for m in messages
            ]
    finally:
        await reader.close()
    return [d for d in found if d.seq <= last]

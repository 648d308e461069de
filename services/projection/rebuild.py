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

from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.projector import ProjectorRunner, apply_lock_key
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
    runners = [ProjectorRunner(js, pool, FRESH, projector, batch_size=1000) for projector in projectors()]
    for runner in runners:
        await runner.catch_up()
    async with pool.acquire() as conn, conn.transaction():
        # Live appliers wait on these locks; whatever they applied meanwhile is applied to the copy too.
        checkpoint = 0
        for runner in runners:
            name = runner.projector.name
            await conn.execute("SELECT pg_advisory_xact_lock($1)", apply_lock_key(name))
            live = await conn.fetchval(f"SELECT seq FROM {SCHEMA}.stream_checkpoints WHERE name = $1", name)
            built = await conn.fetchval(f"SELECT seq FROM {FRESH}.stream_checkpoints WHERE name = $1", name)
            await runner.apply_in(conn, await runner.read_range((built or 0) + 1, live or 0), live)
            checkpoint = max(checkpoint, live or 0, built or 0)
        await conn.execute(f"DROP SCHEMA IF EXISTS {RETIRED} CASCADE")
        await conn.execute(f"ALTER SCHEMA {SCHEMA} RENAME TO {RETIRED}")
        await conn.execute(f"ALTER SCHEMA {FRESH} RENAME TO {SCHEMA}")
        await conn.execute(f"DROP SCHEMA {RETIRED} CASCADE")
    log.info("projection rebuilt and swapped in", extra={"checkpoint": checkpoint})
    return RebuildReport(checkpoint=checkpoint)

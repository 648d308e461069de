"""A projector and a reaction that record how many times each event took effect."""

from __future__ import annotations

import asyncpg

from contracts.envelope import EventEnvelope
from services.eventkit.db import Conn
from services.eventkit.projector import Delivered

EFFECTS_TABLE = """
CREATE TABLE IF NOT EXISTS {schema}.effects (
    event_id text PRIMARY KEY,
    times    integer NOT NULL,
    seq      bigint
)"""


async def create_effects_table(pool: asyncpg.Pool, schema: str) -> None:
    await pool.execute(EFFECTS_TABLE.format(schema=schema))


async def record_effect(conn: Conn, schema: str, event_id: str, seq: int | None = None) -> None:
    # Counting (not upserting to 1) is what lets a test see an effect applied twice.
    await conn.execute(
        f"INSERT INTO {schema}.effects (event_id, times, seq) VALUES ($1, 1, $2)"
        " ON CONFLICT (event_id) DO UPDATE SET times = effects.times + 1",
        event_id,
        seq,
    )


async def effect_counts(pool: asyncpg.Pool, schema: str) -> dict[str, int]:
    rows = await pool.fetch(f"SELECT event_id, times FROM {schema}.effects")
    return {row["event_id"]: row["times"] for row in rows}


class CountingProjector:
    name = "counting"

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        for delivered in batch:
            await record_effect(conn, schema, delivered.envelope.id, delivered.seq)


def counting_handler(schema: str):
    async def handle(conn: Conn, envelope: EventEnvelope) -> None:
        await record_effect(conn, schema, envelope.id)

    return handle

"""``sanji verify``: recompute every stream's hash chain and name the first broken link."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.eventkit.hashchain import GENESIS, chain_hash
from services.eventkit.migrations import check_schema_name


@dataclass(frozen=True)
class BrokenLink:
    stream_id: str
    stream_version: int
    event_id: str
    reason: str

    def __str__(self) -> str:
        return f"stream {self.stream_id} version {self.stream_version} (event {self.event_id}): {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    streams: int
    events: int
    broken: BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.broken is None


async def verify_chains(pool: asyncpg.Pool, schema: str, page: int = 5000) -> ChainReport:
    """Walk every stream in version order; stop at the first event whose hash or version does not follow."""
    check_schema_name(schema)
    streams = events = 0
    current: str | None = None
    previous, expected_version = GENESIS, 1
    after: tuple[str, int] = ("", 0)
    async with pool.acquire() as conn:
        while True:
            rows = await conn.fetch(
                f"SELECT stream_id, stream_version, event_id::text, envelope, hash FROM {schema}.events"
                " WHERE (stream_id, stream_version) > ($1, $2) ORDER BY stream_id, stream_version LIMIT $3",
                after[0],
                after[1],
                page,
            )
            if not rows:
                return ChainReport(streams, events, None)
            for row in rows:
                if row["stream_id"] != current:
                    current, previous, expected_version = row["stream_id"], GENESIS, 1
                    streams += 1
                events += 1
                link = (row["stream_id"], row["stream_version"], row["event_id"])
                if row["stream_version"] != expected_version:
                    reason = f"version {expected_version} is missing (deleted?)"
                    return ChainReport(streams, events, BrokenLink(*link, reason))
                previous = chain_hash(previous, row["envelope"])
                if bytes(row["hash"]) != previous:
                    return ChainReport(streams, events, BrokenLink(*link, "hash does not match (altered?)"))
                expected_version += 1
            after = (rows[-1]["stream_id"], rows[-1]["stream_version"])

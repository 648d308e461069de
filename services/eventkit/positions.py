"""Stand-in until the lead's positions.py lands on main (same interface): a position is the stream
sequence a view must have applied. Replaced wholesale by main's module at merge."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, order=True)
class Position:
    seq: int


def parse_position(text: str) -> Position:
    """The position a command reply carried; ValueError on anything else."""
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        raise ValueError("a position as a command reply gave it")
    return Position(int(text))


async def wait_applied(
    pool: asyncpg.Pool,
    schema: str,
    projector: str,
    after: Position,
    timeout: float = 5.0,  # noqa: ASYNC109 (the interface main gives)
) -> bool:
    """True once ``projector``'s checkpoint has reached ``after``; False when ``timeout`` ran out."""
    deadline = time.monotonic() + timeout
    while True:
        seq = await pool.fetchval(f"SELECT seq FROM {schema}.stream_checkpoints WHERE name = $1", projector)
        if seq is not None and seq >= after.seq:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)

"""Read-your-writes: where a command's events stand, and waiting until a view has applied them.

A command's reply carries the commit position of its last event as text,
``<origin>:<transaction id>:<insert position>``, where the origin names the store that wrote it (the
site's top unit and the service, e.g. ``3205/outreach``: two sites' stores count transactions apart).
The relay publishes every event with that text in its ``Sanji-Position`` header, in commit order. The
projector, in the transaction that moves its views' checkpoints, records per origin the latest position
it has passed and the stream sequence it came at (``source_positions``). A view has applied a position
once the origin's recorded position is at or past it and the view's checkpoint is at or past the
sequence recorded with it: both are written in one transaction, so neither runs ahead of the other.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import asyncpg

from services.eventkit.db import Conn

HEADER = "Sanji-Position"
DEFAULT_WAIT_SECONDS = 5.0
POLL_SECONDS = (0.005, 0.01, 0.02, 0.05)  # quick at first: most waits end within one projector batch
_TEXT = re.compile(
    r"^(?P<origin>[0-9A-Za-z._-]{1,60}/[a-z][a-z0-9_]{0,40}):(?P<tx>[0-9]{1,19}):(?P<pos>[0-9]{1,19})\Z"
)
MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True, order=True)
class Position:
    origin: str
    tx_id: int
    position: int

    def __str__(self) -> str:
        return f"{self.origin}:{self.tx_id}:{self.position}"


def parse_position(text: str) -> Position:
    """A position from its text form; ValueError saying what a position looks like."""
    match = _TEXT.match(text)
    if match is None or max(int(match["tx"]), int(match["pos"])) > MAX_BIGINT:
        raise ValueError("a position as a command's reply gives it, like 3205/outreach:1234:5678")
    return Position(match["origin"], int(match["tx"]), int(match["pos"]))


def latest_by_origin(
    headers: Iterable[tuple[int, Mapping[str, str] | None]],
) -> dict[str, tuple[Position, int]]:
    """origin → (its latest position, the stream sequence it came at), from (sequence, headers) in
    stream order; messages without a readable position (published before positions existed) are passed."""
    latest: dict[str, tuple[Position, int]] = {}
    for seq, found in headers:
        text = (found or {}).get(HEADER)
        if not text:
            continue
        try:
            position = parse_position(text)
        except ValueError:
            continue
        mine = latest.get(position.origin)
        if mine is None or position > mine[0]:
            latest[position.origin] = (position, seq)
    return latest


async def record_passed(conn: Conn, schema: str, latest: Mapping[str, tuple[Position, int]]) -> None:
    """Store the positions a projector batch passed (inside the transaction that moves its checkpoints);
    a position never moves back."""
    if not latest:
        return
    origins = sorted(latest)
    await conn.execute(
        f"INSERT INTO {schema}.source_positions AS p (origin, tx_id, position, seq)"
        " SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])"
        " ON CONFLICT (origin) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position,"
        " seq = excluded.seq WHERE (excluded.tx_id, excluded.position) > (p.tx_id, p.position)",
        origins,
        [latest[o][0].tx_id for o in origins],
        [latest[o][0].position for o in origins],
        [latest[o][1] for o in origins],
    )


async def has_applied(conn: asyncpg.Pool | Conn, schema: str, projector: str, after: Position) -> bool:
    return bool(
        await conn.fetchval(
            f"SELECT EXISTS (SELECT 1 FROM {schema}.source_positions p, {schema}.stream_checkpoints c"
            " WHERE p.origin = $1 AND (p.tx_id, p.position) >= ($2::bigint, $3::bigint)"
            " AND c.name = $4 AND c.seq >= p.seq)",
            after.origin,
            after.tx_id,
            after.position,
            projector,
        )
    )


async def wait_applied(
    pool: asyncpg.Pool,
    schema: str,
    projector: str,
    after: Position,
    timeout: float = DEFAULT_WAIT_SECONDS,  # noqa: ASYNC109 - running out is an answer (stale), not an error
) -> bool:
    """True once ``projector``'s view has applied ``after``; False when ``timeout`` runs out first (the
    caller then answers from what it has and says so: ``stale``)."""
    deadline, attempt = time.monotonic() + timeout, 0
    while not await has_applied(pool, schema, projector, after):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        await asyncio.sleep(min(POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)], left))
        attempt += 1
    return True

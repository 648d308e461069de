"""A command group's first statement: the store's writer lock, every stored reply the group's keys have,
and the events of every stream its commands said they would load — one round trip for the whole group.

A stream is read here only when exactly one command of the group names it: a second command on the same
stream must see what the first one appended, so both read it themselves inside the transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from contracts.commands import CommandReply
from services.eventkit.db import Conn
from services.eventkit.idempotency import LEGACY_PRINCIPAL, LOCK_AND_FIND, RequestKey, StoredReply
from services.eventkit.pgstore import row_to_event
from services.eventkit.store import StoredEvent

Preloaded = dict[str, list[StoredEvent]]  # stream → its events in order, as read at the group's start

# The stored replies first (the lock's subquery runs once, before any event is read: an Append runs its
# branches in order), then the wanted streams' events; NULLs fill the other branch's columns.
GROUP_START = (
    "WITH found AS ({lock_and_find})"
    " SELECT principal, command_id, reply, fingerprint, NULL::text AS stream_id, NULL::jsonb AS envelope,"
    " NULL::bigint AS tx_id, NULL::bigint AS position, NULL::bytea AS hash FROM found"
    " UNION ALL (SELECT NULL, NULL, NULL, NULL, e.stream_id, e.envelope, e.tx_id::text::bigint, e.position,"
    " e.hash FROM {schema}.events AS e"
    " WHERE e.stream_id = ANY($5::text[]) ORDER BY e.stream_id, e.stream_version)"
)


def preloadable(named: Iterable[Sequence[str]]) -> set[str]:
    """The streams exactly one command of the group names (each command's own list counted once)."""
    counts = Counter(stream for streams in named for stream in set(streams))
    return {stream for stream, count in counts.items() if count == 1}


async def start_group(
    conn: Conn, schema: str, writer_lock: int, asked: Sequence[RequestKey], streams: Sequence[str]
) -> tuple[dict[tuple[str, str], StoredReply], Preloaded]:
    """Take the writer lock, find the group's stored replies and read ``streams``, in one round trip."""
    rows = await conn.fetch(
        GROUP_START.format(lock_and_find=LOCK_AND_FIND.format(schema=schema), schema=schema),
        writer_lock,
        [key.principal for key in asked],
        [key.key for key in asked],
        LEGACY_PRINCIPAL,
        list(streams),
    )
    replies: dict[tuple[str, str], StoredReply] = {}
    preloaded: Preloaded = {stream: [] for stream in streams}
    for row in rows:
        if row["stream_id"] is not None:
            preloaded[row["stream_id"]].append(row_to_event(row))
        elif row["reply"] is not None:
            replies[(row["principal"], row["command_id"])] = StoredReply(
                CommandReply.model_validate(row["reply"]), row["fingerprint"]
            )
    return replies, preloaded

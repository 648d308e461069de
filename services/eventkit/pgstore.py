"""PostgreSQL event store: one per service schema.

Commit order without skips (design trap 1): ``position`` comes from a sequence at insert time, so a
transaction that inserted earlier can commit later. Readers therefore order by the writing
transaction's id and only read below a horizon that every transaction still able to write this
schema's events has passed; nothing can later appear behind a position they have passed.

The horizon is the oldest of *this store's* writers, not of the whole cluster (``pg_snapshot_xmin``),
so a long transaction in another service's schema never holds this relay back; see ``writers.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import asyncpg

from contracts.envelope import EventEnvelope
from services.eventkit.db import Conn
from services.eventkit.hashchain import GENESIS, canonical_json, link_hash
from services.eventkit.migrations import check_schema_name
from services.eventkit.store import (
    AppendResult,
    CommitPosition,
    StoredEvent,
    WrongExpectedVersion,
    check_append,
)
from services.eventkit.writers import WriterRegistry, horizon

COLUMNS = "envelope, tx_id::text::bigint AS tx_id, position, hash"
# After a commit position, in commit order, and never past a writer still in flight (trap 1): every
# writer older than the horizon ($3, from ``writers.horizon``, read in an earlier statement) has
# finished, so nothing can appear behind us.
# The ORDER BY names the table's columns: a bare ``tx_id`` would mean the selected bigint of that name,
# and sorting by it cannot use the index, so every read sorted the whole backlog to return one batch.
COMMITTED_AFTER = (
    "WHERE (events.tx_id, events.position) > ($1::text::xid8, $2)"
    " AND events.tx_id < $3::text::xid8"
    " ORDER BY events.tx_id, events.position LIMIT $4"
)


@dataclass(frozen=True)
class RawEvent:
    commit: CommitPosition
    event_id: str
    event_type: str
    unitpath: str
    document: bytes


def row_to_event(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(
        envelope=EventEnvelope.model_validate(row["envelope"]),
        commit=CommitPosition(row["tx_id"], row["position"]),
        hash=bytes(row["hash"]),
    )


class PostgresEventStore:
    def __init__(self, pool: asyncpg.Pool, schema: str, origin: str | None = None) -> None:
        self.pool = pool
        self.schema = check_schema_name(schema)
        # Names this store in positions (positions.py): the site's top unit and the service.
        self.origin = origin or f"local/{self.schema}"
        # Set when a transaction of this store commits in this process: it wakes the relay at once;
        # events written by other processes are found by the relay's poll. (Not NOTIFY: a notifying
        # transaction holds a database-wide lock until its commit is flushed, so every writer waited
        # for the one before it and no two commits could share a flush.)
        self.appended = asyncio.Event()
        self.writers = WriterRegistry(self.schema)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """A transaction on a pooled connection for work that may append; the relay is woken once it
        commits (a commit that appended nothing costs it one empty read)."""
        async with self.pool.acquire() as conn, self.writers.writing(conn):
            yield conn
        self.appended.set()

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[EventEnvelope],
        *,
        conn: Conn | None = None,
    ) -> AppendResult:
        """Append in its own transaction, or inside the caller's (``conn``) as a savepoint."""
        check_append(stream_id, expected_version, events)
        if conn is not None:
            # The caller owns the transaction (opened with ``transaction()``) and retries it whole on a
            # conflict (a savepoint would cost two more round trips per command); on the retry the
            # stored-ids check answers.
            try:
                return await self._insert(conn, stream_id, expected_version, events)
            except asyncpg.UniqueViolationError:
                raise WrongExpectedVersion(stream_id, expected_version, -1) from None
        async with self.pool.acquire() as own:
            result = await self._append_alone(own, stream_id, expected_version, events)
        self.appended.set()  # committed by _append_alone
        return result

    async def _append_alone(
        self, conn: Conn, stream_id: str, expected: int, events: Sequence[EventEnvelope]
    ) -> AppendResult:
        ids = [e.id for e in events]
        try:
            async with self.writers.writing(conn):
                return await self._insert(conn, stream_id, expected, events)
        except asyncpg.UniqueViolationError:
            # A concurrent writer committed first: either the same events (a retry) or a rival version.
            if await self._stored_ids(conn, ids):
                return await self._already_stored(conn, stream_id, ids)
            actual = await self._version(conn, stream_id)
            raise WrongExpectedVersion(stream_id, expected, actual) from None

    async def _insert(
        self, conn: Conn, stream_id: str, expected: int, events: Sequence[EventEnvelope]
    ) -> AppendResult:
        results = await self.insert_many(conn, [(stream_id, expected, events)])
        return results[0]

    async def insert_many(
        self, conn: Conn, appends: Sequence[tuple[str, int, Sequence[EventEnvelope]]]
    ) -> list[AppendResult]:
        """Append to several streams in two round trips (a bulk import writes hundreds at once).

        Inside the caller's transaction; any conflict raises and the caller retries the whole thing.
        Callers open their transaction with ``transaction()``, which registers it as a writer (so the
        relay's horizon waits for it) and wakes the relay after the commit.
        """
        self.writers.check(conn)
        s = self.schema
        stream_ids = [stream_id for stream_id, _, _ in appends]
        ids = [e.id for _, _, events in appends for e in events]
        # One round trip: take our transaction id and read the stream heads. If a head was written by
        # a younger transaction (possible when ours wrote something earlier), ordering by tx id would
        # put our event before it, so we report a conflict and the caller retries. Each head is its own
        # index probe (LIMIT 1 keeps the planner from turning the lookup into a scan of the whole table,
        # which it did while a fast-growing table had no statistics yet).
        # Stored ids are looked for only when a head does not match: a re-append of stored events
        # finds its stream moved on, while fresh events match and skip the lookup. (It ran on every
        # append, and asyncpg's cached generic plan for `event_id = ANY($1)`, chosen while the table
        # was small, scanned the whole table: 50 ms an import once the table held 40k events.) A stored
        # id at a head that does match fails the insert on the unique index instead.
        rows = await conn.fetch(
            "SELECT pg_current_xact_id()::text::bigint AS own_tx,"
            " wanted.stream_id, head.stream_version, head.hash, head.tx_id"
            " FROM unnest($1::text[]) AS wanted (stream_id) LEFT JOIN LATERAL ("
            f"   SELECT stream_version, hash, tx_id::text::bigint AS tx_id FROM {s}.events AS e"
            "    WHERE e.stream_id = wanted.stream_id ORDER BY stream_version DESC LIMIT 1) AS head ON true",
            stream_ids,
        )
        own_tx = rows[0]["own_tx"]
        heads = {row["stream_id"]: row for row in rows if row["stream_version"] is not None}
        columns: list[list[Any]] = [[] for _ in range(8)]
        results = []
        for stream_id, expected, events in appends:
            head = heads.get(stream_id)
            actual = head["stream_version"] if head else 0
            if actual != expected or (head is not None and head["tx_id"] > own_tx):
                if len(appends) == 1 and await self._stored_ids(conn, ids):
                    return [await self._already_stored(conn, stream_id, ids)]
                raise WrongExpectedVersion(stream_id, expected, actual)
            previous = bytes(head["hash"]) if head else GENESIS
            for envelope in events:
                # Encoded once: the canonical bytes are hashed and stored (jsonb ignores key order).
                canonical = canonical_json(envelope.model_dump(mode="json"))
                previous = link_hash(previous, canonical)
                row = (
                    stream_id,
                    envelope.streamversion,
                    envelope.id,
                    envelope.type,
                    envelope.unitpath,
                    envelope.time,
                    canonical.decode(),
                    previous,
                )
                for column, value in zip(columns, row, strict=True):
                    column.append(value)
            results.append(AppendResult(stream_id, expected + len(events), tuple(e.id for e in events)))
        last = await conn.fetchval(
            f"WITH inserted AS (INSERT INTO {s}.events (stream_id, stream_version, event_id, event_type,"
            " unitpath, occurred_at, envelope, hash) SELECT s, v, e, t, u, o, d::jsonb, h FROM unnest($1::text[],"
            " $2::int[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::bytea[])"
            " AS r (s, v, e, t, u, o, d, h) RETURNING position) SELECT max(position) FROM inserted",
            *columns,
        )
        commit = CommitPosition(own_tx, last)  # one transaction: its events share the id, in insert order
        return [replace(result, commit=commit) for result in results]

    async def read_streams(
        self, stream_ids: Sequence[str], conn: Conn | None = None
    ) -> dict[str, list[StoredEvent]]:
        """Several streams in one query (a bulk command loads hundreds of small aggregates)."""
        rows = await (conn or self.pool).fetch(
            f"SELECT stream_id, {COLUMNS} FROM {self.schema}.events WHERE stream_id = ANY($1::text[])"
            " ORDER BY stream_id, stream_version",
            list(stream_ids),
        )
        found: dict[str, list[StoredEvent]] = {stream_id: [] for stream_id in stream_ids}
        for row in rows:
            found[row["stream_id"]].append(row_to_event(row))
        return found

    async def _stored_ids(self, conn: Conn, ids: list[str]) -> set[str]:
        rows = await conn.fetch(
            f"SELECT event_id::text FROM {self.schema}.events WHERE event_id = ANY($1::uuid[])", ids
        )
        return {row[0] for row in rows}

    async def _already_stored(self, conn: Conn, stream_id: str, ids: list[str]) -> AppendResult:
        stored = await self._stored_ids(conn, ids)
        if stored != set(ids):
            raise WrongExpectedVersion(stream_id, -1, await self._version(conn, stream_id))
        return AppendResult(stream_id, await self._version(conn, stream_id), tuple(ids), already_stored=True)

    async def _version(self, conn: Conn, stream_id: str) -> int:
        version = await conn.fetchval(
            f"SELECT max(stream_version) FROM {self.schema}.events WHERE stream_id = $1", stream_id
        )
        return int(version or 0)

    async def stream_version(self, stream_id: str, conn: Conn | None = None) -> int:
        if conn is not None:
            return await self._version(conn, stream_id)
        async with self.pool.acquire() as own:
            return await self._version(own, stream_id)

    async def read_stream(self, stream_id: str, conn: Conn | None = None) -> list[StoredEvent]:
        sql = f"SELECT {COLUMNS} FROM {self.schema}.events WHERE stream_id = $1 ORDER BY stream_version"
        rows = await (conn or self.pool).fetch(sql, stream_id)
        return [row_to_event(row) for row in rows]

    async def horizon(self) -> int:
        """Events of transactions below this id are all committed or gone (see ``writers.horizon``)."""
        return await horizon(self.pool, self.writers.key)

    async def read_committed(
        self, after: CommitPosition, limit: int, below: int | None = None
    ) -> list[StoredEvent]:
        """Events after ``after`` in commit order, up to ``below`` (a horizon read earlier, else now)."""
        below = await self.horizon() if below is None else below
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM {self.schema}.events {COMMITTED_AFTER}",
            str(after.tx_id),
            after.position,
            str(below),
            limit,
        )
        return [row_to_event(row) for row in rows]

    async def read_committed_raw(
        self, after: CommitPosition, limit: int, below: int | None = None
    ) -> list[RawEvent]:
        """Like read_committed, but the envelope as stored JSON text: the relay publishes it as is."""
        below = await self.horizon() if below is None else below
        rows = await self.pool.fetch(
            f"SELECT tx_id::text::bigint AS tx_id, position, event_id::text, event_type, unitpath,"
            f" envelope::text AS document FROM {self.schema}.events {COMMITTED_AFTER}",
            str(after.tx_id),
            after.position,
            str(below),
            limit,
        )
        return [
            RawEvent(
                CommitPosition(r["tx_id"], r["position"]),
                r["event_id"],
                r["event_type"],
                r["unitpath"],
                r["document"].encode(),
            )
            for r in rows
        ]

    async def count_after(self, after: CommitPosition) -> int:
        """Events stored after ``after`` (including ones still committing): the relay backlog."""
        value = await self.pool.fetchval(
            f"SELECT count(*) FROM {self.schema}.events WHERE (tx_id, position) > ($1::text::xid8, $2)",
            str(after.tx_id),
            after.position,
        )
        return int(value)

    async def load_checkpoint(self, name: str) -> CommitPosition:
        row = await self.pool.fetchrow(
            f"SELECT tx_id::text::bigint AS tx_id, position FROM {self.schema}.store_checkpoints"
            " WHERE name = $1",
            name,
        )
        return CommitPosition(row["tx_id"], row["position"]) if row else CommitPosition()

    async def save_checkpoint(self, name: str, position: CommitPosition) -> None:
        await self.pool.execute(
            f"INSERT INTO {self.schema}.store_checkpoints (name, tx_id, position)"
            " VALUES ($1, $2::text::xid8, $3)"
            " ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position,"
            " updated_at = now()",
            name,
            str(position.tx_id),
            position.position,
        )

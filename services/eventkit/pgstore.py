"""PostgreSQL event store: one per service schema.

Commit order without skips (design trap 1): ``position`` comes from a sequence at insert time, so a
transaction that inserted earlier can commit later. Readers therefore order by the writing
transaction's id and only read transactions older than every transaction still in flight
(``pg_snapshot_xmin``); nothing can later appear behind a position they have passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from contracts.envelope import EventEnvelope
from services.eventkit.db import Conn
from services.eventkit.hashchain import GENESIS, chain_hash
from services.eventkit.migrations import check_schema_name
from services.eventkit.store import (
    AppendResult,
    CommitPosition,
    StoredEvent,
    WrongExpectedVersion,
    check_append,
)

COLUMNS = "envelope, tx_id::text::bigint AS tx_id, position, hash"


def notify_channel(schema: str) -> str:
    return f"sanji_events_{schema}"


def row_to_event(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(
        envelope=EventEnvelope.model_validate(row["envelope"]),
        commit=CommitPosition(row["tx_id"], row["position"]),
        hash=bytes(row["hash"]),
    )


class PostgresEventStore:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = check_schema_name(schema)

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
            return await self._append_in(conn, stream_id, expected_version, events)
        async with self.pool.acquire() as own:
            return await self._append_in(own, stream_id, expected_version, events)

    async def _append_in(
        self, conn: Conn, stream_id: str, expected: int, events: Sequence[EventEnvelope]
    ) -> AppendResult:
        ids = [e.id for e in events]
        try:
            async with conn.transaction():
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
        s = self.schema
        # Take our transaction id before reading the head: if the head was written by a younger
        # transaction, ordering by tx id would put our event before it, so we retry instead.
        own_tx = await conn.fetchval("SELECT pg_current_xact_id()::text::bigint")
        ids = [e.id for e in events]
        if await self._stored_ids(conn, ids):
            return await self._already_stored(conn, stream_id, ids)
        head = await conn.fetchrow(
            f"SELECT stream_version, hash, tx_id::text::bigint AS tx_id FROM {s}.events"
            " WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1",
            stream_id,
        )
        actual = head["stream_version"] if head else 0
        if actual != expected or (head is not None and head["tx_id"] > own_tx):
            raise WrongExpectedVersion(stream_id, expected, actual)
        previous = bytes(head["hash"]) if head else GENESIS
        rows: list[tuple[Any, ...]] = []
        for envelope in events:
            document = envelope.model_dump(mode="json")
            previous = chain_hash(previous, document)
            rows.append(
                (
                    stream_id,
                    envelope.streamversion,
                    envelope.id,
                    envelope.type,
                    envelope.unitpath,
                    envelope.time,
                    document,
                    previous,
                )
            )
        await conn.executemany(
            f"INSERT INTO {s}.events (stream_id, stream_version, event_id, event_type, unitpath,"
            " occurred_at, envelope, hash) VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8)",
            rows,
        )
        await conn.execute("SELECT pg_notify($1, '')", notify_channel(s))
        return AppendResult(stream_id, expected + len(events), tuple(ids))

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

    async def read_committed(self, after: CommitPosition, limit: int) -> list[StoredEvent]:
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM {self.schema}.events"
            " WHERE (tx_id, position) > ($1::text::xid8, $2)"
            "   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())"
            " ORDER BY tx_id, position LIMIT $3",
            str(after.tx_id),
            after.position,
            limit,
        )
        return [row_to_event(row) for row in rows]

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

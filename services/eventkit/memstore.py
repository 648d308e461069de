"""In-memory event store for pure handler tests; the shared contract suite proves it behaves like
the PostgreSQL one (same versions, same idempotency, same order, same hash chain)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from contracts.envelope import EventEnvelope
from services.eventkit.hashchain import GENESIS, chain_hash
from services.eventkit.store import (
    AppendResult,
    CommitPosition,
    StoredEvent,
    WrongExpectedVersion,
    check_append,
)


class InMemoryEventStore:
    def __init__(self) -> None:
        self._events: list[StoredEvent] = []
        self._streams: dict[str, list[StoredEvent]] = {}
        self._ids: dict[str, str] = {}
        self._lock = asyncio.Lock()
        self._next_tx = 1

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[EventEnvelope]
    ) -> AppendResult:
        check_append(stream_id, expected_version, events)
        async with self._lock:
            ids = [e.id for e in events]
            stored = [i for i in ids if i in self._ids]
            stream = self._streams.setdefault(stream_id, [])
            if stored:
                if len(stored) != len(ids) or any(self._ids[i] != stream_id for i in ids):
                    raise WrongExpectedVersion(stream_id, -1, len(stream))
                return AppendResult(stream_id, len(stream), tuple(ids), already_stored=True)
            if len(stream) != expected_version:
                raise WrongExpectedVersion(stream_id, expected_version, len(stream))
            tx_id, self._next_tx = self._next_tx, self._next_tx + 1
            previous = stream[-1].hash if stream else GENESIS
            for envelope in events:
                previous = chain_hash(previous, envelope.model_dump(mode="json"))
                stored_event = StoredEvent(envelope, CommitPosition(tx_id, len(self._events) + 1), previous)
                self._events.append(stored_event)
                stream.append(stored_event)
                self._ids[envelope.id] = stream_id
            return AppendResult(stream_id, len(stream), tuple(ids))

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        return list(self._streams.get(stream_id, []))

    async def read_committed(
        self, after: CommitPosition, limit: int, below: int | None = None
    ) -> list[StoredEvent]:
        return [e for e in self._events if e.commit > after][:limit]

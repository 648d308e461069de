"""The event store interface, its errors, and what it returns. Implementations: ``pgstore`` and
``memstore`` (the latter proven equal to the former by the shared contract suite)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from contracts.envelope import EventEnvelope


@dataclass(frozen=True, order=True)
class CommitPosition:
    """Where a reader stands in commit order: (writing transaction id, insert position)."""

    tx_id: int = 0
    position: int = 0


@dataclass(frozen=True)
class StoredEvent:
    envelope: EventEnvelope
    commit: CommitPosition
    hash: bytes


@dataclass(frozen=True)
class AppendResult:
    stream_id: str
    version: int  # the stream's version after the append
    event_ids: tuple[str, ...]
    already_stored: bool = False
    commit: CommitPosition | None = None  # where the last event stands in commit order (None: a replay)


class WrongExpectedVersion(Exception):
    """Someone else appended to the stream first; reload and decide again."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id}: expected version {expected}, found {actual}")
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


class InvalidAppend(ValueError):
    """The events handed to append do not fit the stream (wrong subject or version numbering)."""


class EventStore(Protocol):
    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[EventEnvelope]
    ) -> AppendResult:
        """Append after ``expected_version``; re-appending stored ids stores nothing."""
        ...

    async def read_stream(self, stream_id: str) -> list[StoredEvent]: ...

    async def read_committed(
        self, after: CommitPosition, limit: int, below: int | None = None
    ) -> list[StoredEvent]:
        """Events after ``after`` in commit order, never past a transaction still in flight."""
        ...


def check_append(stream_id: str, expected_version: int, events: Sequence[EventEnvelope]) -> None:
    if not events:
        raise InvalidAppend("nothing to append")
    if expected_version < 0:
        raise InvalidAppend("expected version must be ≥ 0")
    for offset, envelope in enumerate(events, start=1):
        if envelope.subject != stream_id:
            raise InvalidAppend(f"event {envelope.id} belongs to stream {envelope.subject}, not {stream_id}")
        if envelope.streamversion != expected_version + offset:
            raise InvalidAppend(
                f"event {envelope.id} has streamversion {envelope.streamversion}, "
                f"expected {expected_version + offset}"
            )
    ids = [e.id for e in events]
    if len(set(ids)) != len(ids):
        raise InvalidAppend("the same event id appears twice in one append")

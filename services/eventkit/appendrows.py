"""The rows an append inserts: one statement for any number of streams, each event hash-chained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.envelope import EventEnvelope
from services.eventkit.hashchain import canonical_json, link_hash
from services.eventkit.store import StoredEvent

INSERT = (
    "INSERT INTO {schema}.events (stream_id, stream_version, event_id, event_type, unitpath, occurred_at,"
    " envelope, hash) SELECT s, v, e, t, u, o, d::jsonb, h FROM unnest($1::text[], $2::int[], $3::uuid[],"
    " $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::bytea[]) AS r (s, v, e, t, u, o, d, h)"
)


def add_rows(
    columns: list[list[Any]], stream_id: str, previous: bytes, events: Sequence[EventEnvelope]
) -> None:
    """Append one stream's events to the insert's columns, each hash chained to the one before."""
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


def follows_loaded_heads(
    appends: Sequence[tuple[str, int, Sequence[EventEnvelope]]], known: Mapping[str, StoredEvent | None]
) -> bool:
    """True when every append continues the head its stream had when this transaction loaded it."""
    for stream_id, expected, _ in appends:
        if stream_id not in known:
            return False
        head = known[stream_id]
        if (head.envelope.streamversion if head else 0) != expected:
            return False
    return True

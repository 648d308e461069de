"""Migration 004 keys stored replies by principal: a reply whose command appended events belongs to the
events' actor; one that appended nothing stays answerable by its key alone, as before."""

from __future__ import annotations

import json
import uuid

import asyncpg

from services.eventkit.idempotency import LEGACY_PRINCIPAL
from services.eventkit.migrations import migrate, migrations_in

SCHEMA = "kit_idem"


async def test_existing_replies_get_the_principal_of_their_events(database_url: str) -> None:
    shared = migrations_in("services.eventkit", prefix="eventkit/")
    before = [m for m in shared if m.name < "eventkit/004"]  # a store as it was before keys had owners
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(conn, SCHEMA, before)
        event_id = str(uuid.uuid4())
        await conn.execute(
            f"INSERT INTO {SCHEMA}.events (stream_id, stream_version, event_id, event_type, unitpath,"
            " occurred_at, envelope, hash) VALUES ('s-1', 1, $1, 't', '3205', now(), $2::jsonb, '\\x00')",
            event_id,
            json.dumps({"actor": "clerk@320506"}),
        )
        for command_id, events in [("with-events-1", [event_id]), ("no-events-01", [])]:
            await conn.execute(
                f"INSERT INTO {SCHEMA}.processed_commands (command_id, reply) VALUES ($1, $2::jsonb)",
                command_id,
                json.dumps({"ok": True, "events": events}),
            )
        applied = await migrate(conn, SCHEMA, shared)
        assert applied[0] == "eventkit/004_idempotency_per_principal.sql"
        rows = await conn.fetch(
            f"SELECT command_id, principal, fingerprint FROM {SCHEMA}.processed_commands ORDER BY command_id"
        )
        assert [tuple(row) for row in rows] == [
            ("no-events-01", LEGACY_PRINCIPAL, None),
            ("with-events-1", "clerk@320506", None),
        ]
        # the key is now per principal: another principal may store a reply under the same key
        await conn.execute(
            f"INSERT INTO {SCHEMA}.processed_commands (principal, command_id, reply) VALUES ('admin@3205', $1, '{{}}')",
            "with-events-1",
        )
    finally:
        await conn.close()

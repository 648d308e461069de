"""Idempotency keys belong to the principal that sent them (design trap 11).

A stored reply is found by (principal, key); the same key from another principal is another command.
With each reply the fingerprint of its request (command name + canonical body) is kept, so a principal
reusing a key for a different request is refused (422 naming the key, as the IETF Idempotency-Key
draft and Stripe answer) instead of being told that a command it never sent succeeded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from contracts.commands import Command, CommandReply, CommandRequest
from services.eventkit.db import Conn

LEGACY_PRINCIPAL = ""  # rows stored before keys were per principal whose sender could not be recovered


@dataclass(frozen=True)
class RequestKey:
    """Whose key this is, the key, and what was asked under it."""

    principal: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, request: CommandRequest, command: Command) -> RequestKey:
        return cls(request.actor.id, request.commandid, fingerprint(command))


@dataclass(frozen=True)
class StoredReply:
    reply: CommandReply
    fingerprint: str | None  # None for rows stored before fingerprints: any body gets the reply

    def answers(self, asked: RequestKey) -> bool:
        return self.fingerprint is None or self.fingerprint == asked.fingerprint


def fingerprint(command: Command) -> str:
    """sha256 of the command name and its validated body as canonical JSON (sorted keys, no spaces)."""
    body = json.dumps(
        command.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(f"{command.command_name}\n{body}".encode()).hexdigest()


# The stored-reply half of a command group's first statement (groupstart.py): it registers the
# transaction as a writer of the store (the shared advisory lock of writers.py, taken before the
# transaction has an id: reads assign none) and finds the stored reply of every key in the group.
# OFFSET 0 keeps the lock's subquery from being folded into the join, so it runs exactly once even
# when no key has a reply; the LEFT JOIN keeps its one row.
LOCK_AND_FIND = """
SELECT writer.locked, found.principal, found.command_id, found.reply, found.fingerprint
FROM (SELECT pg_advisory_xact_lock_shared($1::bigint) AS locked OFFSET 0) AS writer
LEFT JOIN LATERAL (
    SELECT asked.principal, asked.command_id, stored.reply, stored.fingerprint
    FROM unnest($2::text[], $3::text[]) AS asked (principal, command_id)
    JOIN LATERAL (
        SELECT c.reply, c.fingerprint FROM {schema}.processed_commands AS c
        WHERE c.command_id = asked.command_id AND c.principal IN (asked.principal, $4)
        ORDER BY c.principal DESC LIMIT 1
    ) AS stored ON true
) AS found ON true
"""


async def remember(conn: Conn, schema: str, asked: RequestKey, reply: CommandReply) -> None:
    """Store the reply in the command's transaction; a concurrent twin raises UniqueViolationError."""
    await conn.execute(
        f"INSERT INTO {schema}.processed_commands (principal, command_id, fingerprint, reply)"
        " VALUES ($1, $2, $3, $4)",
        asked.principal,
        asked.key,
        asked.fingerprint,
        reply.model_dump(mode="json"),
    )

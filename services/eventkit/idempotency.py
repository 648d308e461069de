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


async def stored_reply(conn: Conn, schema: str, asked: RequestKey) -> StoredReply | None:
    """The reply stored for this principal's key; a legacy row (no principal) answers as it did before."""
    row = await conn.fetchrow(
        f"SELECT reply, fingerprint FROM {schema}.processed_commands"
        " WHERE command_id = $1 AND principal IN ($2, $3) ORDER BY principal DESC LIMIT 1",
        asked.key,
        asked.principal,
        LEGACY_PRINCIPAL,
    )
    if row is None:
        return None
    return StoredReply(CommandReply.model_validate(row["reply"]), row["fingerprint"])


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

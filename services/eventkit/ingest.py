"""Ingest subjects: other systems publish inbound facts as requests on ``sanji.ingest.<context>.<kind>``.

Each kind is served by one of the service's commands, through the same CommandBus path (validation,
authorization, idempotency by command id, the same reply shape). The request names its actor (the
sending system and the subtree it reports for), but whatever roles it claims, it acts as SYSTEM:
a monitoring platform cannot make itself an admin by saying so."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from contracts.commands import Role
from contracts.inputs import InputError, read_json
from services.eventkit import metrics
from services.eventkit.commanding import CommandBus

MAX_REWRITE_BYTES = 4 * 1024 * 1024  # beyond this the bus refuses the request by size anyway


def as_system(raw: bytes) -> bytes:
    """The request with its actor's roles set to SYSTEM; anything unreadable is passed on unchanged
    (the command bus then refuses it with the usual field errors)."""
    if len(raw) > MAX_REWRITE_BYTES:
        return raw
    try:
        request = read_json(raw, "")  # json.loads would recurse on deep nesting
    except InputError:
        return raw
    if not isinstance(request, dict) or not isinstance(request.get("actor"), dict):
        return raw
    request["actor"]["roles"] = [Role.SYSTEM.value]
    return json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode()


def ingest_responder(bus: CommandBus, kind: str, command_name: str) -> Callable[[bytes], Awaitable[bytes]]:
    """Answer one ingest request with the command's reply, counted in ``sanji_ingest_total``."""

    async def respond(raw: bytes) -> bytes:
        reply = await bus.dispatch(command_name, as_system(raw))
        outcome = "ok" if reply.ok else (reply.error.code if reply.error else "error")
        metrics.ingest.labels(kind, outcome).inc()
        return reply.model_dump_json().encode()

    return respond

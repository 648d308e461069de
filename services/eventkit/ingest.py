"""Ingest subjects: other systems publish inbound facts as requests on
``sanji.ingest.<context>.<kind>.<system>.<city>.<county>.<township>``.

Each kind is served by one of the service's commands, through the same CommandBus path (validation,
authorization, idempotency by command id, the same reply shape). Who sends it is read from the subject,
never from the body: NATS lets each system's user publish only subjects with its own name and subtree,
so the request acts as ``system:<name>`` with the SYSTEM role, scoped to the subject's units. Whatever
actor the body claims is replaced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from contracts.commands import Actor, Command, Role
from contracts.subjects import IngestSubjectError, ingest_origin
from services.eventkit import metrics
from services.eventkit.commanding import CommandBus, refuse


def sender(subject: str) -> Actor:
    """The system an ingest subject names, acting within the subtree it names."""
    system, scope = ingest_origin(subject)
    return Actor(id=f"system:{system}", scope=scope, roles=frozenset({Role.SYSTEM}))


def ingest_responder(
    bus: CommandBus, kind: str, model: type[Command]
) -> Callable[[bytes, str], Awaitable[bytes]]:
    """Answer one ingest request with the command's reply, counted in ``sanji_ingest_total``."""

    async def respond(raw: bytes, subject: str) -> bytes:
        try:
            actor = sender(subject)
        except (IngestSubjectError, ValueError) as error:
            reply = refuse("invalid", str(error), "subject")
        else:
            reply = await bus.dispatch(model.command_name, raw, sender=actor)
        outcome = "ok" if reply.ok else (reply.error.code if reply.error else "error")
        metrics.ingest.labels(kind, outcome).inc()
        return reply.model_dump_json().encode()

    return respond

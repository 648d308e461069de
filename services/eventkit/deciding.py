"""Reactions that decide: on another site's or service's event, load an aggregate, decide and append,
as a command would, in the reaction's one transaction with its inbox row (so once per event id).

The consumer opens that transaction as a writer of the service's store (consumer.py), the events get
the reacting event's correlation id and its id as their cause, and the actor is the service itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts.commands import Actor, Role
from contracts.envelope import EventEnvelope
from contracts.registry import REGISTRY, DomainEvent
from services.eventkit.commanding import CommandContext, Decided, append_decisions
from services.eventkit.consumer import Reaction
from services.eventkit.db import Conn
from services.eventkit.pgstore import PostgresEventStore

Decide = Callable[[CommandContext, DomainEvent, EventEnvelope], Awaitable[Decided]]


@dataclass(frozen=True)
class DecidingReaction:
    name: str  # durable consumer and inbox key, as for a Reaction
    filter_subjects: Sequence[str]
    decide: Decide
    ack_wait: float = 60.0  # how long an event whose handler died waits before it is delivered again

    def bind(
        self, service: str, store: PostgresEventStore, scope: str, clock: Callable[[], datetime]
    ) -> Reaction:
        """The plain reaction that runs ``decide`` and appends what it decided."""
        actor = Actor(id=f"system:{service}-{self.name}", scope=scope, roles=frozenset({Role.SYSTEM}))

        async def handle(conn: Conn, envelope: EventEnvelope) -> None:
            context = CommandContext(conn, store, actor, clock())
            decided = await self.decide(context, REGISTRY.decode(envelope), envelope)
            await append_decisions(
                context, decided, service, correlation_id=envelope.correlationid, causation_id=envelope.id
            )

        return Reaction(self.name, self.filter_subjects, handle, ack_wait=self.ack_wait)

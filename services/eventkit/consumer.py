"""Reaction consumer: a durable JetStream pull consumer whose handler changes this service's state.

For each message, in order: the handler's effect and an inbox row keyed by event id commit in one
transaction, and only then is the message acked (ack before commit loses events; commit before ack
with an inbox only ever redelivers what the inbox then skips). Failures are retried with backoff;
after the last attempt the message goes to the dead-letter stream with its error. Messages are
fetched in batches but handled one at a time, so they are never reordered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError

from contracts.envelope import EventEnvelope
from contracts.subjects import DLQ_STREAM, EVENTS_STREAM, retry_subject
from services.eventkit import metrics
from services.eventkit.aio import sleep_or_stop
from services.eventkit.db import Conn
from services.eventkit.deadletters import dead_letter_count, send_to_dead_letters
from services.eventkit.faults import FaultHook, no_faults
from services.eventkit.logs import correlation

log = logging.getLogger(__name__)
Handler = Callable[[Conn, EventEnvelope], Awaitable[None]]
# Errors of the surroundings, not of the message: retried forever, never dead-lettered.
TRANSIENT = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, ConnectionError, OSError)


class Poison(Exception):
    """A message no retry can fix (not an event, unknown type, fails validation): dead-letter it now."""


@dataclass(frozen=True)
class Reaction:
    name: str  # durable consumer name, also the inbox key: bounded, e.g. "outreach-units"
    filter_subjects: Sequence[str]
    handler: Handler
    max_attempts: int = 5
    backoff: Sequence[float] = field(default=(0.2, 1.0, 5.0, 15.0))
    ack_wait: float = 60.0  # a message unacked this long (its handler died) is delivered again

    def delay_after(self, attempt: int) -> float:
        return self.backoff[min(attempt - 1, len(self.backoff) - 1)]


class ReactionConsumer:
    def __init__(
        self,
        js: JetStreamContext,
        pool: asyncpg.Pool,
        schema: str,
        reaction: Reaction,
        *,
        batch_size: int = 100,
        fetch_timeout: float = 1.0,
        fault: FaultHook = no_faults,
    ) -> None:
        self.js, self.pool, self.schema, self.reaction = js, pool, schema, reaction
        self.batch_size, self.fetch_timeout, self.fault = batch_size, fetch_timeout, fault

    def consumer_config(self, filters: Sequence[str]) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.reaction.name,
            name=self.reaction.name,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.reaction.ack_wait,
            max_deliver=-1,  # we count attempts ourselves and dead-letter; the server never drops
            max_ack_pending=1000,
            filter_subjects=list(filters),
        )

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            self._consume(stop, EVENTS_STREAM, self.reaction.name, self.reaction.filter_subjects),
            # Dead letters an operator sends back (``sanji dlq retry``) arrive on a subject of their own.
            self._consume(
                stop, DLQ_STREAM, f"{self.reaction.name}-retry", [retry_subject(self.reaction.name)]
            ),
        )

    async def _consume(self, stop: asyncio.Event, stream: str, durable: str, filters: Sequence[str]) -> None:
        config = self.consumer_config(filters)
        config.durable_name = config.name = durable
        delay = 0.2
        while not stop.is_set():
            try:
                await self.js.add_consumer(stream, config=config)
                subscription = await self.js.pull_subscribe_bind(durable=durable, stream=stream)
                try:
                    await self._fetch_loop(stop, subscription)
                finally:
                    await subscription.unsubscribe()
            except Exception as error:  # NATS or PostgreSQL away: retry the whole subscription
                log.warning("consumer loop failed", extra={"consumer": durable, "error": repr(error)})
                await sleep_or_stop(stop, delay)
                delay = min(delay * 2, 5.0)

    async def _fetch_loop(self, stop: asyncio.Event, subscription: JetStreamContext.PullSubscription) -> None:
        while not stop.is_set():
            try:
                messages = await subscription.fetch(self.batch_size, timeout=self.fetch_timeout)
            except (NatsTimeout, TimeoutError):
                continue
            for message in messages:
                await self.handle(message)
            pending = messages[-1].metadata.num_pending if messages else 0
            metrics.consumer_pending.labels(self.reaction.name).set(pending)

    async def handle(self, message: Msg) -> None:
        """Apply one message exactly once, then ack; retry, dead-letter, or leave it for redelivery."""
        attempt = message.metadata.num_delivered
        started = time.perf_counter()
        try:
            envelope = decode(message.data)
            with correlation(envelope.correlationid):
                outcome = await self._apply(envelope, message.metadata.sequence.stream)
        except Poison as error:
            await self.dead_letter(message, f"poison: {error}", attempt)
            return
        except TRANSIENT as error:
            log.warning("transient failure", extra={"consumer": self.reaction.name, "error": repr(error)})
            await message.nak(delay=self.reaction.delay_after(min(attempt, 3)))
            return
        except Exception as error:
            if attempt >= self.reaction.max_attempts:
                await self.dead_letter(message, f"{type(error).__name__}: {error}", attempt)
            else:
                metrics.events_handled.labels(self.reaction.name, "retry").inc()
                await message.nak(delay=self.reaction.delay_after(attempt))
            return
        self.fault("after_commit")
        await message.ack()
        metrics.events_handled.labels(self.reaction.name, outcome).inc()
        metrics.handler_seconds.labels(self.reaction.name).observe(time.perf_counter() - started)

    async def _apply(self, envelope: EventEnvelope, stream_seq: int) -> str:
        async with self.pool.acquire() as conn, conn.transaction():
            inserted = await conn.fetchval(
                f"INSERT INTO {self.schema}.inbox (consumer, event_id, stream_seq) VALUES ($1, $2::uuid, $3)"
                " ON CONFLICT DO NOTHING RETURNING true",
                self.reaction.name,
                envelope.id,
                stream_seq,
            )
            if not inserted:
                return "duplicate"
            await self.reaction.handler(conn, envelope)
            return "applied"

    async def dead_letter(self, message: Msg, reason: str, attempts: int) -> None:
        await send_to_dead_letters(self.js, self.reaction.name, message, reason, attempts)
        await message.term()  # only after the dead letter is stored
        metrics.events_handled.labels(self.reaction.name, "dead_lettered").inc()
        metrics.dlq_depth.set(await dead_letter_count(self.js))
        log.error("dead-lettered", extra={"consumer": self.reaction.name, "reason": reason})


def decode(payload: bytes) -> EventEnvelope:
    try:
        return EventEnvelope.model_validate_json(payload)
    except ValidationError as error:
        raise Poison(
            f"not a Sanji event envelope: {error.errors()[0]['loc']} {error.errors()[0]['msg']}"
        ) from None

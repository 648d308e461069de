"""Reaction consumer: a durable JetStream pull consumer whose handler changes this service's state.

For each message, in order: the handler's effect and an inbox row keyed by event id commit in one
transaction, and only then is the message acked (ack before commit loses events; commit before ack
with an inbox only ever redelivers what the inbox then skips). A failure of the surroundings (the
database or NATS away) is retried without limit and never counted; a failure of the event itself is
counted in the service's own ledger, retried with backoff, and after the last attempt the event is
parked with its error (see parking.py) while the events after it keep flowing.

Messages are fetched in batches and a batch is applied in one transaction, in stream order, each event
with its inbox row, then acked: one commit for up to ``batch_size`` events instead of one each (a
durable commit per event held assessment to about 60 events a second). If anything in the batch fails,
the transaction is rolled back and the batch handled one message at a time, each with its own
transaction, retries and parking, so one bad event still costs the others nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import asyncpg
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError

from contracts.envelope import EventEnvelope, utc_now
from contracts.subjects import EVENTS_STREAM
from services.eventkit import metrics
from services.eventkit.aio import sleep_or_stop
from services.eventkit.db import Conn
from services.eventkit.faults import FaultHook, no_faults
from services.eventkit.logs import correlation
from services.eventkit.parking import Parked, Parking, Verdict
from services.eventkit.pgstore import PostgresEventStore

log = logging.getLogger(__name__)
Handler = Callable[[Conn, EventEnvelope], Awaitable[None]]


class Poison(Exception):
    """A message no retry can fix (not an event envelope): park it now."""


@dataclass(frozen=True)
class Reaction:
    name: str  # durable consumer name, also the inbox key: bounded, e.g. "outreach-units"
    filter_subjects: Sequence[str]
    handler: Handler
    max_attempts: int = 5  # failures of the event itself (never outages) before it is parked
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
        store: PostgresEventStore | None = None,
    ) -> None:
        self.js, self.pool, self.schema, self.reaction = js, pool, schema, reaction
        # A reaction that appends events (eventkit/deciding.py) writes through the store's writer
        # transactions, so the relay never passes one of them (design trap 1).
        self.store = store
        self.batch_size, self.fetch_timeout, self.fault = batch_size, fetch_timeout, fault
        self.parking = Parking(pool, schema, reaction.name, reaction.max_attempts)

    def consumer_config(self, filters: Sequence[str]) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.reaction.name,
            name=self.reaction.name,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.reaction.ack_wait,
            max_deliver=-1,  # we count an event's own failures and park it; the server never drops
            max_ack_pending=1000,
            filter_subjects=list(filters),
        )

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            self._consume(stop),
            # Parked events an operator sends back (``sanji dlq retry``) are redone from the parked row.
            # A reaction that appends redoes them inside a writer transaction of its store, as it applies.
            self.parking.follow_retries(stop, self.redo_parked, transaction=self._transaction),
        )

    async def _consume(self, stop: asyncio.Event) -> None:
        config = self.consumer_config(self.reaction.filter_subjects)
        durable = self.reaction.name
        delay = 0.2
        while not stop.is_set():
            try:
                await self.js.add_consumer(EVENTS_STREAM, config=config)
                subscription = await self.js.pull_subscribe_bind(durable=durable, stream=EVENTS_STREAM)
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
            await self.handle_batch(messages)
            self._report_lag(messages[-1] if messages else None)

    def _report_lag(self, last: Msg | None) -> None:
        """Backlog in events and in seconds: how old the last handled event is while others wait."""
        pending = last.metadata.num_pending if last is not None else 0
        metrics.consumer_pending.labels(self.reaction.name).set(pending)
        metrics.worker_backlog.labels(self.reaction.name).set(pending)
        lag = (utc_now() - last.metadata.timestamp).total_seconds() if last is not None and pending else 0.0
        metrics.consumer_lag_seconds.labels(self.reaction.name).set(max(lag, 0.0))

    async def handle_batch(self, messages: Sequence[Msg]) -> None:
        """Apply a fetched batch in one transaction and ack it; on any failure, message by message."""
        if len(messages) < 2 or any(m.metadata.num_delivered > 1 for m in messages):
            # A redelivery may carry failures in the ledger (and is why a batch failed before).
            for message in messages:
                await self.handle(message)
            return
        started = time.perf_counter()
        try:
            envelopes = [decode(message.data) for message in messages]
            async with self.pool.acquire() as conn, self._transaction(conn):
                outcomes = [
                    await self._apply_in(conn, envelope, message.metadata.sequence.stream)
                    for message, envelope in zip(messages, envelopes, strict=True)
                ]
        except Exception as error:  # poison, a bad event or an outage: sort it out one by one
            log.info("batch failed, handling it message by message", extra={"error": repr(error)})
            for message in messages:
                await self.handle(message)
            return
        self.fault("after_commit")
        for message in messages:
            await message.ack()
        for outcome in outcomes:
            metrics.events_handled.labels(self.reaction.name, outcome).inc()
        metrics.handler_seconds.labels(self.reaction.name).observe(time.perf_counter() - started)

    async def handle(self, message: Msg) -> None:
        """Apply one message exactly once, then ack; or retry it later, or park it and move on."""
        started = time.perf_counter()
        seq = message.metadata.sequence.stream
        try:
            envelope = decode(message.data)
        except Poison as error:  # no retry can fix it: parked at once under its stream sequence
            await self._give_up(message, f"seq:{seq}", f"poison: {error}", attempts=1)
            return
        try:
            with correlation(envelope.correlationid):
                # A message delivered before may carry failures in the ledger: clear them on success.
                outcome = await self._apply(envelope, seq, forget=message.metadata.num_delivered > 1)
        except Exception as error:
            verdict, attempts = await self.parking.judge(envelope.id, error)
            if verdict is Verdict.PARK:
                await self._give_up(message, envelope.id, f"{type(error).__name__}: {error}", attempts)
                return
            if verdict is Verdict.RETRY:
                metrics.events_handled.labels(self.reaction.name, "retry").inc()
                await message.nak(delay=self.reaction.delay_after(attempts))
            else:  # an outage: wait without counting, a little longer each redelivery
                await message.nak(delay=self.reaction.delay_after(min(message.metadata.num_delivered, 3)))
            return
        self.fault("after_commit")
        await message.ack()
        metrics.events_handled.labels(self.reaction.name, outcome).inc()
        metrics.handler_seconds.labels(self.reaction.name).observe(time.perf_counter() - started)

    @asynccontextmanager
    async def _transaction(self, conn: Conn) -> AsyncIterator[None]:
        if self.store is None:
            async with conn.transaction():
                yield
            return
        async with self.store.writers.writing(conn):
            yield
        self.store.appended.set()  # wakes the relay at once

    async def _apply(self, envelope: EventEnvelope, stream_seq: int | None, *, forget: bool = False) -> str:
        async with self.pool.acquire() as conn, self._transaction(conn):
            if forget:
                await self.parking.forget(conn, [envelope.id])
            return await self._apply_in(conn, envelope, stream_seq)

    async def _apply_in(self, conn: Conn, envelope: EventEnvelope, stream_seq: int | None) -> str:
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

    async def redo_parked(self, conn: Conn, parked: Parked) -> None:
        """An operator's retry of a parked event: the same handler and inbox, so still exactly once."""
        envelope = decode(parked.payload)
        with correlation(envelope.correlationid):
            await self._apply_in(conn, envelope, None)

    async def _give_up(self, message: Msg, item: str, reason: str, attempts: int) -> None:
        """Park the message's event and ack it; if parking fails (an outage), it is delivered again."""
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                await self.parking.park(conn, item, reason, attempts, message.data)
        except Exception as error:
            log.warning("parking failed", extra={"consumer": self.reaction.name, "error": repr(error)})
            await message.nak(delay=self.reaction.delay_after(3))
            return
        await message.ack()  # only after the parked row is committed
        metrics.events_handled.labels(self.reaction.name, "parked").inc()
        await self.parking.count()


def decode(payload: bytes) -> EventEnvelope:
    try:
        return EventEnvelope.model_validate_json(payload)
    except ValidationError as error:
        raise Poison(
            f"not a Sanji event envelope: {error.errors()[0]['loc']} {error.errors()[0]['msg']}"
        ) from None

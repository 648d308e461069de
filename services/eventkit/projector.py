"""Projector runner: applies the event stream to read models in order, in batches, with the stream
sequence checkpoint written in the same transaction as the rows it changed.

It reads through an ephemeral pull consumer that starts at checkpoint + 1, so the checkpoint in
PostgreSQL is the only truth: after a crash the runner simply starts again from it. Events already
covered by the checkpoint (a redelivery, or a rebuilt copy swapped in) are skipped.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import asyncpg
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError

from contracts.envelope import EventEnvelope
from contracts.subjects import EVENTS_STREAM, EVENTS_SUBJECTS
from services.eventkit import metrics
from services.eventkit.aio import sleep_or_stop
from services.eventkit.db import Conn
from services.eventkit.deadletters import send_to_dead_letters
from services.eventkit.faults import FaultHook, no_faults

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    seq: int
    envelope: EventEnvelope


class Projector(Protocol):
    """A read model. It may also say which ``event_types`` it reads (a frozenset attribute): the runner
    then skips other events by their ``Sanji-Type`` header without decoding them."""

    name: str

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        """Change read-model rows in ``schema`` for these events (inside the caller's transaction)."""
        ...


def apply_lock_key(projector_name: str) -> int:
    """Held by every apply transaction and by a rebuild's swap, so the two never interleave."""
    return zlib.crc32(f"sanji-projector:{projector_name}".encode())


class ProjectorRunner:
    def __init__(
        self,
        js: JetStreamContext,
        pool: asyncpg.Pool,
        schema: str,
        projector: Projector,
        *,
        batch_size: int = 500,
        fetch_timeout: float = 0.5,
        fault: FaultHook = no_faults,
    ) -> None:
        self.js, self.pool, self.schema, self.projector = js, pool, schema, projector
        self.batch_size, self.fetch_timeout, self.fault = batch_size, fetch_timeout, fault
        self.caught_up = asyncio.Event()

    async def checkpoint(self) -> int:
        value = await self.pool.fetchval(
            f"SELECT seq FROM {self.schema}.stream_checkpoints WHERE name = $1", self.projector.name
        )
        return int(value or 0)

    async def run(self, stop: asyncio.Event) -> None:
        delay = 0.2
        while not stop.is_set():
            try:
                await self._follow(stop, until=None)
                delay = 0.2
            except Exception as error:  # restart from the stored checkpoint
                log.warning("projector restarting: %r", error, extra={"projector": self.projector.name})
                await sleep_or_stop(stop, delay)
                delay = min(delay * 2, 5.0)

    async def catch_up(self) -> int:
        """Apply everything up to the stream's current last sequence, then return the checkpoint."""
        info = await self.js.stream_info(EVENTS_STREAM)
        target = info.state.last_seq
        if await self.checkpoint() < target:
            await self._follow(asyncio.Event(), until=target)
        return await self.checkpoint()

    async def _follow(self, stop: asyncio.Event, until: int | None) -> None:
        start = await self.checkpoint() + 1
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=start,
            ack_policy=AckPolicy.NONE,  # the PostgreSQL checkpoint is the acknowledgement
            inactive_threshold=30.0,
            max_waiting=1,
        )
        subscription = await self.js.pull_subscribe(
            EVENTS_SUBJECTS, durable=None, stream=EVENTS_STREAM, config=config
        )
        try:
            while not stop.is_set():
                try:
                    messages = await subscription.fetch(self.batch_size, timeout=self.fetch_timeout)
                except (NatsTimeout, TimeoutError):
                    messages = []
                if not messages:
                    self.caught_up.set()
                    metrics.projection_lag_events.labels(self.projector.name).set(0)
                    metrics.projection_lag_seconds.labels(self.projector.name).set(0)
                    if until is not None and await self.checkpoint() >= until:
                        return
                    continue
                through = messages[-1].metadata.sequence.stream
                await self.apply_batch(await self._decode_all(messages), through=through)
                last = messages[-1].metadata
                metrics.projection_lag_events.labels(self.projector.name).set(last.num_pending)
                if last.num_pending:
                    self.caught_up.clear()
                if until is not None and last.sequence.stream >= until:
                    return
        finally:
            await subscription.unsubscribe()

    async def _decode_all(self, messages: list[Msg]) -> list[Delivered]:
        """Decode a fetched batch; a message that is not an event is dead-lettered and skipped, so one
        bad publisher cannot stall every view."""
        batch = []
        wanted: frozenset[str] | None = getattr(self.projector, "event_types", None)
        for message in messages:
            seq = message.metadata.sequence.stream
            event_type = (message.headers or {}).get("Sanji-Type")
            if wanted is not None and event_type is not None and event_type not in wanted:
                continue  # not this view's business: skip it without paying for a decode
            try:
                batch.append(Delivered(seq, decode(message.data, seq)))
            except UndecodableEvent as error:
                consumer = f"projection-{self.projector.name}"
                await send_to_dead_letters(self.js, consumer, message, str(error), attempts=1)
                log.warning(
                    "skipped an undecodable message: %s", error, extra={"projector": self.projector.name}
                )
        return batch

    async def apply_batch(self, batch: list[Delivered], through: int | None = None) -> None:
        """Apply ``batch``; the checkpoint moves to ``through`` (the last sequence fetched, relevant or not)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", apply_lock_key(self.projector.name))
            fresh = await self.apply_in(conn, batch, through)
        if not fresh:
            return
        metrics.projection_applied.labels(self.projector.name).inc(len(fresh))
        age = (datetime.now(UTC) - fresh[-1].envelope.time).total_seconds()
        metrics.projection_lag_seconds.labels(self.projector.name).set(max(age, 0.0))

    async def apply_in(
        self, conn: Conn, batch: list[Delivered], through: int | None = None
    ) -> list[Delivered]:
        """Apply what the checkpoint does not cover yet, inside the caller's transaction (and lock)."""
        stored = await conn.fetchval(
            f"SELECT seq FROM {self.schema}.stream_checkpoints WHERE name = $1 FOR UPDATE",
            self.projector.name,
        )
        fresh = [d for d in batch if d.seq > (stored or 0)]
        checkpoint = max([d.seq for d in fresh] + [through or 0])
        if checkpoint <= (stored or 0):
            return []
        if fresh:
            await self.projector.apply(conn, self.schema, fresh)
        self.fault("before_checkpoint")
        await conn.execute(
            f"INSERT INTO {self.schema}.stream_checkpoints (name, seq) VALUES ($1, $2)"
            " ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = now()",
            self.projector.name,
            checkpoint,
        )
        return fresh

    async def read_range(self, first: int, last: int) -> list[Delivered]:
        """The events with stream sequence ``first`` … ``last``, in order."""
        if last < first:
            return []
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=first, ack_policy=AckPolicy.NONE
        )
        subscription = await self.js.pull_subscribe(
            EVENTS_SUBJECTS, durable=None, stream=EVENTS_STREAM, config=config
        )
        found: list[Delivered] = []
        try:
            while not found or found[-1].seq < last:
                messages = await subscription.fetch(min(self.batch_size, last - first + 1), timeout=5)
                found += [
                    Delivered(m.metadata.sequence.stream, decode(m.data, m.metadata.sequence.stream))
                    for m in messages
                ]
        finally:
            await subscription.unsubscribe()
        return [d for d in found if d.seq <= last]


class UndecodableEvent(RuntimeError):
    """A message on the event stream that is not an envelope: the projection stops rather than skip it."""


def decode(payload: bytes, seq: int) -> EventEnvelope:
    try:
        return EventEnvelope.model_validate_json(payload)
    except ValidationError as error:
        raise UndecodableEvent(f"stream sequence {seq} is not a Sanji event: {error}") from None

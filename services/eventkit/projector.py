"""Projector runner: applies the event stream to read models in order, in batches, with the stream
sequence checkpoint written in the same transaction as the rows it changed.

One runner serves every read model of a service: each message is fetched and decoded once, and one
transaction per batch applies it to every view that reads its type and moves every view's checkpoint.
(A runner per view fetched and parsed each message once per view: most of the projection's CPU.)

It reads through an ephemeral pull consumer that starts at the lowest view checkpoint + 1, so the
checkpoints in PostgreSQL are the only truth: after a crash the runner simply starts again from them.
Events a view's checkpoint already covers (a redelivery, or a rebuilt copy swapped in) are skipped for it.

When a batch fails, its events are applied one transaction each to find the one at fault; that event is
retried a bounded number of times with backoff, then parked with its reason (parking.py) and the
checkpoints move past it, so later events are applied. A message that is not an event is parked at once.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Protocol

import asyncpg
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError

from contracts.envelope import EventEnvelope
from contracts.registry import REGISTRY, DomainEvent
from contracts.subjects import EVENTS_STREAM, EVENTS_SUBJECTS
from services.eventkit import metrics
from services.eventkit.aio import sleep_or_stop
from services.eventkit.db import Conn
from services.eventkit.faults import FaultHook, no_faults
from services.eventkit.parking import Parked, Parking, Verdict, reason_of
from services.eventkit.positions import Position, latest_by_origin, record_passed
from services.eventkit.pull import PullReader
from services.eventkit.transient import is_transient

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Junk:
    """A message on the event stream that is not an event: parked at once, no retry can fix it."""

    seq: int
    payload: bytes
    reason: str


@dataclass(frozen=True)
class Delivered:
    seq: int
    envelope: EventEnvelope

    @cached_property
    def event(self) -> DomainEvent:
        """The typed payload, upcast — decoded once however many views read it (UnknownEventType if none)."""
        return REGISTRY.decode(self.envelope)

    @cached_property
    def event_json(self) -> str:
        """The typed payload as JSON text, also made once per event: pydantic's own serializer, several
        times cheaper than ``json.dumps(model_dump(mode="json"))`` for the views that store it."""
        return self.event.model_dump_json()


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
        projectors: Sequence[Projector],
        *,
        batch_size: int = 500,
        fetch_timeout: float = 0.5,
        fault: FaultHook = no_faults,
        worker: str = "projector",
        budget: int = 5,
    ) -> None:
        self.js, self.pool, self.schema = js, pool, schema
        self.parking = Parking(pool, schema, worker, budget)
        self.projectors = sorted(projectors, key=lambda projector: projector.name)  # the lock order
        self.batch_size, self.fetch_timeout, self.fault = batch_size, fetch_timeout, fault
        self.caught_up = asyncio.Event()
        wanted: list[frozenset[str] | None] = [getattr(p, "event_types", None) for p in self.projectors]
        # The types any view reads; None when some view reads everything.
        self.event_types: frozenset[str] | None = frozenset()
        for types in wanted:
            self.event_types = None if types is None or self.event_types is None else self.event_types | types
        self.names = [projector.name for projector in self.projectors]

    async def checkpoint(self) -> int:
        """The lowest view checkpoint: everything up to it is applied to every view."""
        rows = await self.pool.fetch(
            f"SELECT name, seq FROM {self.schema}.stream_checkpoints WHERE name = ANY($1)", self.names
        )
        found = {row["name"]: row["seq"] for row in rows}
        return int(min(found.get(name, 0) for name in self.names))

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(self._follow_until(stop), self.parking.follow_retries(stop, self.redo_parked))

    async def _follow_until(self, stop: asyncio.Event) -> None:
        delay = 0.2
        while not stop.is_set():
            try:
                await self._follow(stop, until=None)
                delay = 0.2
            except Exception as error:  # restart from the stored checkpoint
                log.warning("projector restarting: %r", error, extra={"projectors": self.names})
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
            filter_subject=EVENTS_SUBJECTS,
            ack_policy=AckPolicy.NONE,  # the PostgreSQL checkpoint is the acknowledgement
            inactive_threshold=30.0,
            max_waiting=1,
        )
        reader = await PullReader.open(self.js, EVENTS_STREAM, config, self.batch_size)
        try:
            while not stop.is_set():
                # Messages keep arriving while a batch is applied: PostgreSQL and NATS work in parallel.
                messages = await reader.take(self.fetch_timeout)
                if not messages:
                    self.caught_up.set()
                    for name in self.names:
                        metrics.projection_lag_events.labels(name).set(0)
                        metrics.projection_lag_seconds.labels(name).set(0)
                    metrics.worker_backlog.labels(self.parking.worker).set(0)
                    if until is not None and await self.checkpoint() >= until:
                        return
                    continue
                through = messages[-1].metadata.sequence.stream
                batch, junk = self._decode_all(messages)
                passed = latest_by_origin((m.metadata.sequence.stream, m.headers) for m in messages)
                await self.apply_batch(batch, through=through, junk=junk, passed=passed)
                last = messages[-1].metadata
                for name in self.names:
                    metrics.projection_lag_events.labels(name).set(last.num_pending)
                metrics.worker_backlog.labels(self.parking.worker).set(last.num_pending)
                if last.num_pending:
                    self.caught_up.clear()
                if until is not None and last.sequence.stream >= until:
                    return
        finally:
            await reader.close()

    def _decode_all(self, messages: list[Msg]) -> tuple[list[Delivered], list[Junk]]:
        """Decode a fetched batch; a message that is not an event is set apart to be parked, so one bad
        publisher cannot stall every view."""
        batch, junk = [], []
        wanted = self.event_types
        for message in messages:
            seq = message.metadata.sequence.stream
            event_type = (message.headers or {}).get("Sanji-Type")
            if wanted is not None and event_type is not None and event_type not in wanted:
                continue  # no view's business: skip it without paying for a decode
            try:
                batch.append(Delivered(seq, decode(message.data, seq)))
            except UndecodableEvent as error:
                junk.append(Junk(seq, message.data, str(error)))
        return batch, junk

    async def apply_batch(
        self,
        batch: list[Delivered],
        through: int | None = None,
        junk: Sequence[Junk] = (),
        passed: Mapping[str, tuple[Position, int]] | None = None,
    ) -> None:
        """Apply ``batch``; every checkpoint moves to ``through`` (the last sequence fetched, relevant or
        not) and the positions ``passed`` on the way are recorded with them (read-your-writes)."""
        try:
            async with self._locked() as conn:
                await self._park_junk(conn, junk)
                applied = await self.apply_in(conn, batch, through)
                await record_passed(conn, self.schema, passed or {})
        except Exception as error:
            if is_transient(error) or not batch:
                raise
            log.warning("a batch failed; applying it one event at a time: %r", error)
            applied = await self._apply_one_by_one(batch, through, junk, passed or {})
        self._count_applied(applied)

    @asynccontextmanager
    async def _locked(self) -> AsyncIterator[Conn]:
        """A transaction holding every view's apply lock."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self._lock_views(conn)
            yield conn

    async def _lock_views(self, conn: Conn) -> None:
        for name in self.names:  # always in name order: a rebuild's swap takes them in the same order
            await conn.execute("SELECT pg_advisory_xact_lock($1)", apply_lock_key(name))

    async def _park_junk(self, conn: Conn, junk: Sequence[Junk]) -> None:
        for item in junk:
            await self.parking.park(conn, f"seq:{item.seq}", item.reason, 1, item.payload)

    async def _apply_one_by_one(
        self,
        batch: list[Delivered],
        through: int | None,
        junk: Sequence[Junk],
        passed: Mapping[str, tuple[Position, int]],
    ) -> dict[str, list[Delivered]]:
        """Each event in its own transaction: the one at fault is retried, then parked, and the rest go on."""
        applied: dict[str, list[Delivered]] = {}
        for delivered in batch:
            item = f"seq:{delivered.seq}"
            failed = 0
            while True:
                try:
                    async with self._locked() as conn:
                        for name, fresh in (await self.apply_in(conn, [delivered], delivered.seq)).items():
                            applied.setdefault(name, []).extend(fresh)
                        if failed:
                            await self.parking.forget(conn, [item])
                    break
                except Exception as error:
                    verdict, failed = await self.parking.judge(item, error)
                    if verdict is Verdict.TRANSIENT:
                        raise
                    if verdict is Verdict.PARK:
                        async with self._locked() as conn:
                            payload = delivered.envelope.model_dump_json().encode()
                            await self.parking.park(conn, item, reason_of(error), failed, payload)
                            await self.apply_in(conn, [], delivered.seq)
                        await self.parking.count()
                        break
                    await asyncio.sleep(BACKOFF_SECONDS[min(failed, len(BACKOFF_SECONDS)) - 1])
        async with self._locked() as conn:
            await self._park_junk(conn, junk)
            await self.apply_in(conn, [], through)
            await record_passed(conn, self.schema, passed)
        return applied

    def _count_applied(self, applied: dict[str, list[Delivered]]) -> None:
        for name, fresh in applied.items():
            if fresh:
                metrics.projection_applied.labels(name).inc(len(fresh))
                age = (datetime.now(UTC) - fresh[-1].envelope.time).total_seconds()
                metrics.projection_lag_seconds.labels(name).set(max(age, 0.0))

    async def redo_parked(self, conn: Conn, parked: Parked) -> None:
        """An operator's retry: the event is applied to every view that reads it; checkpoints stay."""
        seq = int(parked.item.removeprefix("seq:"))
        delivered = Delivered(seq, decode(parked.payload, seq))
        await self._lock_views(conn)
        for projector in self.projectors:
            types: frozenset[str] | None = getattr(projector, "event_types", None)
            if types is None or delivered.envelope.type in types:
                await projector.apply(conn, self.schema, [delivered])

    async def apply_in(
        self, conn: Conn, batch: list[Delivered], through: int | None = None
    ) -> dict[str, list[Delivered]]:
        """Apply to each view what its checkpoint does not cover yet, inside the caller's transaction (and
        locks); return what each view applied."""
        rows = await conn.fetch(
            f"SELECT name, seq FROM {self.schema}.stream_checkpoints WHERE name = ANY($1) FOR UPDATE",
            self.names,
        )
        stored = {row["name"]: row["seq"] for row in rows}
        moves: list[tuple[str, int]] = []
        applied: dict[str, list[Delivered]] = {}
        for projector in self.projectors:
            done = stored.get(projector.name) or 0
            types: frozenset[str] | None = getattr(projector, "event_types", None)
            fresh = [d for d in batch if d.seq > done]
            checkpoint = max([d.seq for d in fresh] + [through or 0])
            if checkpoint <= done:
                continue
            mine = [d for d in fresh if types is None or d.envelope.type in types]
            if mine:
                await projector.apply(conn, self.schema, mine)
            applied[projector.name] = mine
            moves.append((projector.name, checkpoint))
        self.fault("before_checkpoint")
        if moves:
            await conn.executemany(
                f"INSERT INTO {self.schema}.stream_checkpoints (name, seq) VALUES ($1, $2)"
                " ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = now()",
                moves,
            )
        return applied


class UndecodableEvent(RuntimeError):
    """A message on the event stream that is not an envelope: parked, never applied."""


def decode(payload: bytes, seq: int) -> EventEnvelope:
    try:
        return EventEnvelope.model_validate_json(payload)
    except ValidationError as error:
        raise UndecodableEvent(f"stream sequence {seq} is not a Sanji event: {error}") from None

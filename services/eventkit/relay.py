"""The relay: publishes committed events from a service's store to JetStream in commit order.

Pipelined (up to two batches of ``publish_async`` in flight), ``Nats-Msg-Id`` = event id so JetStream drops a
republished event inside its duplicate window, and the checkpoint advances only over events whose
PubAck came back. A crash anywhere means at worst republishing events JetStream already has.
One relay per store at a time: it holds a PostgreSQL advisory lock while it runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections import deque
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import PubAck

from contracts.subjects import EVENTS_STREAM, event_subject
from services.eventkit import metrics
from services.eventkit.aio import sleep_or_stop, wait_any
from services.eventkit.faults import FaultHook, no_faults
from services.eventkit.pgstore import PostgresEventStore, RawEvent
from services.eventkit.positions import HEADER as POSITION_HEADER
from services.eventkit.positions import Position
from services.eventkit.store import CommitPosition

log = logging.getLogger(__name__)
CHECKPOINT = "relay"
BACKLOG_EVERY = 5.0  # seconds between backlog counts (a count(*) is not free)


class RelayError(RuntimeError):
    """Some events of a batch were not acknowledged; the relay retries from the last acked one."""


@dataclass(frozen=True)
class InFlight:
    """A published batch whose PubAcks are still coming back."""

    events: list[RawEvent]
    futures: list[asyncio.Future[PubAck]]


class Relay:
    def __init__(
        self,
        store: PostgresEventStore,
        js: JetStreamContext,
        service: str,
        *,
        batch_size: int = 2000,
        # Two batches unacknowledged at most: 2 × 2000 fits nats-py's publish_async_max_pending (4000).
        in_flight: int = 2,
        ack_timeout: float = 10.0,
        idle_poll: float = 0.1,  # how late an event written by another process may be seen
        fault: FaultHook = no_faults,
    ) -> None:
        self.store, self.js, self.service = store, js, service
        self.batch_size, self.in_flight = batch_size, max(1, in_flight)
        self.ack_timeout, self.idle_poll = ack_timeout, idle_poll
        self.fault = fault
        self.position: CommitPosition | None = None

    async def publish_batch(self) -> int:
        """Publish the next batch and wait for its PubAcks; return how many were acknowledged."""
        return await self.drain(max_batches=1)

    async def drain(self, max_batches: int | None = None) -> int:
        """Publish what is committed now, in commit order; return how many events were acknowledged.

        The next batch is read and published while the PubAcks of the one before come back (without
        that, the server sat idle between batches). Progress is stored batch by batch, oldest first,
        and only over events whose PubAck came back.
        """
        if self.position is None:
            self.position = await self.store.load_checkpoint(CHECKPOINT)
        sent_through, relayed, batches = self.position, 0, 0
        # One horizon for the whole drain: it only ever grows, so an older one is merely cautious.
        below = await self.store.horizon()
        pending: deque[InFlight] = deque()
        try:
            while True:
                more = max_batches is None or batches < max_batches
                events = (
                    await self.store.read_committed_raw(sent_through, self.batch_size, below) if more else []
                )
                if events:
                    pending.append(await self._publish(events))
                    sent_through, batches = events[-1].commit, batches + 1
                full = len(events) == self.batch_size
                while pending and (len(pending) >= self.in_flight or not full):
                    relayed += await self._settle(pending.popleft())
                if not full:
                    return relayed
        finally:
            for unsettled in pending:  # a batch before them failed: they are published again later
                for future in unsettled.futures:
                    future.cancel()

    async def _publish(self, events: list[RawEvent]) -> InFlight:
        self.fault("before_publish")
        futures = []
        for event in events:
            # The stored envelope is published byte for byte: it was validated when it was appended.
            headers = {
                "Nats-Msg-Id": event.event_id,
                "Sanji-Type": event.event_type,
                POSITION_HEADER: str(Position(self.store.origin, event.commit.tx_id, event.commit.position)),
            }
            subject = event_subject(event.event_type, event.unitpath)
            futures.append(
                await self.js.publish_async(subject, event.document, headers=headers, stream=EVENTS_STREAM)
            )
        return InFlight(events, futures)

    async def _settle(self, batch: InFlight) -> int:
        """Wait for a batch's PubAcks; store progress over the acknowledged prefix."""
        events, futures = batch.events, batch.futures
        await asyncio.wait(futures, timeout=self.ack_timeout)
        acked = next(
            (i for i, f in enumerate(futures) if not f.done() or f.cancelled() or f.exception()), len(events)
        )
        for future in futures[acked:]:
            future.cancel()
        self.fault("after_publish")
        if acked:
            self.position = events[acked - 1].commit
            await self.store.save_checkpoint(CHECKPOINT, self.position)
            metrics.events_relayed.labels(self.service).inc(acked)
        if acked < len(events):
            failed = futures[acked]
            reason = "no PubAck in time" if failed.cancelled() else repr(failed.exception())
            raise RelayError(f"event {events[acked].event_id} not acknowledged: {reason}")
        return acked

    async def backlog(self) -> int:
        position = self.position or await self.store.load_checkpoint(CHECKPOINT)
        return await self.store.count_after(position)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set; stand by while another process holds the relay lock."""
        lock_key = zlib.crc32(f"sanji-relay:{self.store.schema}".encode())
        async with self.store.pool.acquire() as lock_conn:
            try:
                while not await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key):
                    if await sleep_or_stop(stop, 1.0):
                        return
                await self._loop(stop)
                await lock_conn.execute("SELECT pg_advisory_unlock($1)", lock_key)
            except BaseException:
                # Interrupted anywhere (a cancelled try-lock may still have been granted; the unlock may
                # not have run): the pool does not reset sessions, so the connection goes, and any lock
                # with it, rather than back to the pool where it would keep every relay standing by.
                lock_conn.terminate()
                raise

    async def _loop(self, stop: asyncio.Event) -> None:
        delay, backlog_measured = 0.1, 0.0
        while not stop.is_set():
            try:
                self.store.appended.clear()
                await self.drain()
                delay = 0.1
                if time.monotonic() - backlog_measured > BACKLOG_EVERY:
                    metrics.relay_backlog.labels(self.service).set(await self.backlog())
                    backlog_measured = time.monotonic()
                # Woken when this process commits an append; the poll finds what other processes
                # wrote and events held back by an older transaction still in flight at the last read.
                await wait_any(self.idle_poll, stop, self.store.appended)
            except Exception as error:  # any failure: back off and retry from the stored checkpoint
                metrics.relay_errors.labels(self.service).inc()
                self.position = None  # reload from the stored checkpoint
                log.warning(
                    "relay batch failed, retrying", extra={"error": str(error), "service": self.service}
                )
                await sleep_or_stop(stop, delay)
                delay = min(delay * 2, 5.0)

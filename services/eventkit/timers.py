"""Durable timers: survive restarts, fire once, take an injectable clock.

A handler schedules a timer with ``schedule(ctx.conn, schema, ...)`` inside its command transaction.
The TimerRunner finds due timers (``FOR UPDATE SKIP LOCKED``, so several processes never fire the
same one) and, per timer, runs its handler, appends what the handler decided and marks it fired —
all in one transaction. A crash before commit leaves the timer due; after commit it is done. A timer
whose handler fails is tried again later with backoff while the timers due after it fire; after its
retry budget it is parked with its reason (parking.py) until an operator retries or discards it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.commands import Actor, Role
from contracts.envelope import utc_now
from services.eventkit import metrics
from services.eventkit.aio import sleep_or_stop
from services.eventkit.commanding import CommandContext, Decision, append_decisions
from services.eventkit.db import Conn
from services.eventkit.parking import Parked, Parking, Verdict, reason_of
from services.eventkit.pgstore import PostgresEventStore

log = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 3600


@dataclass(frozen=True)
class Timer:
    timer_id: str
    kind: str
    due_at: datetime
    payload: dict[str, Any]


TimerHandler = Callable[[CommandContext, Timer], Awaitable[Decision | Sequence[Decision] | None]]


async def schedule(conn: Conn, schema: str, timer: Timer) -> None:
    """Set (or move) a timer; a timer already fired is not re-armed by the same id."""
    await conn.execute(
        f"INSERT INTO {schema}.timers (timer_id, kind, due_at, payload) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (timer_id) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload"
        f" WHERE {schema}.timers.fired_at IS NULL",
        timer.timer_id,
        timer.kind,
        timer.due_at,
        timer.payload,
    )


async def cancel(conn: Conn, schema: str, timer_id: str) -> None:
    await conn.execute(f"DELETE FROM {schema}.timers WHERE timer_id = $1 AND fired_at IS NULL", timer_id)


class TimerRunner:
    def __init__(
        self,
        service: str,
        store: PostgresEventStore,
        handlers: dict[str, TimerHandler],
        *,
        clock: Callable[[], datetime] = utc_now,
        poll: float = 1.0,
        scope: str = "3205",
        budget: int = 5,
    ) -> None:
        self.service, self.store, self.handlers, self.clock, self.poll = service, store, handlers, clock, poll
        self.actor = Actor(id=f"system:{service}-timers", scope=scope, roles=frozenset({Role.SYSTEM}))
        self.parking = Parking(store.pool, store.schema, f"{service}-timers", budget)

    async def fire_due(self, limit: int = 100) -> int:
        """Fire every timer due by ``clock()``; return how many fired."""
        fired = 0
        while fired < limit and await self._fire_one():
            fired += 1
        return fired

    async def _fire_one(self) -> bool:
        s = self.store.schema
        now = self.clock()
        async with self.store.transaction() as conn:
            row = await conn.fetchrow(
                f"SELECT timer_id, kind, due_at, payload FROM {s}.timers"
                " WHERE fired_at IS NULL AND parked_at IS NULL AND due_at <= $1"
                " ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED",
                now,
            )
            if row is None:
                return False
            timer = Timer(row["timer_id"], row["kind"], row["due_at"], row["payload"])
            try:
                async with conn.transaction():  # a savepoint: a failing handler leaves no trace
                    await self._run_handler(conn, timer, now)
            except Exception as error:
                await self._failed(conn, timer, error, now)
                return True
            await self.parking.forget(conn, [timer.timer_id])
            await conn.execute(
                f"UPDATE {s}.timers SET fired_at = $2 WHERE timer_id = $1", timer.timer_id, now
            )
        return True

    async def _failed(self, conn: Conn, timer: Timer, error: Exception, now: datetime) -> None:
        """Retry later with backoff so the timers due after it still fire, or park it after its budget."""
        verdict, attempts = await self.parking.judge(timer.timer_id, error)
        if verdict is Verdict.TRANSIENT:
            raise error  # the surroundings failed: this round ends and the timer stays due
        s = self.store.schema
        if verdict is Verdict.PARK:
            payload = {"timer_id": timer.timer_id, "kind": timer.kind, "payload": timer.payload}
            await self.parking.park(
                conn, timer.timer_id, reason_of(error), attempts, json.dumps(payload).encode()
            )
            await conn.execute(
                f"UPDATE {s}.timers SET parked_at = $2 WHERE timer_id = $1", timer.timer_id, now
            )
            return
        delay = min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS)
        await conn.execute(
            f"UPDATE {s}.timers SET due_at = $2::timestamptz + make_interval(secs => $3) WHERE timer_id = $1",
            timer.timer_id,
            now,
            float(delay),
        )

    async def redo_parked(self, conn: Conn, parked: Parked) -> None:
        """An operator's retry: the timer is due again now, with a fresh budget."""
        await conn.execute(
            f"UPDATE {self.store.schema}.timers SET parked_at = NULL, due_at = $2"
            " WHERE timer_id = $1 AND fired_at IS NULL",
            parked.item,
            self.clock(),
        )

    async def backlog(self) -> int:
        """Timers due and not yet fired (parked ones excepted); also published as a metric."""
        found: int = await self.store.pool.fetchval(
            f"SELECT count(*) FROM {self.store.schema}.timers"
            " WHERE fired_at IS NULL AND parked_at IS NULL AND due_at <= $1",
            self.clock(),
        )
        metrics.worker_backlog.labels(self.parking.worker).set(found)
        return found

    async def _run_handler(self, conn: Conn, timer: Timer, now: datetime) -> None:
        handler = self.handlers.get(timer.kind)
        if handler is None:
            raise LookupError(f"no handler for timer kind {timer.kind}")
        context = CommandContext(conn, self.store, self.actor, now)
        decided = await handler(context, timer)
        await append_decisions(context, decided, self.service, correlation_id=timer.timer_id)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(self._fire_until(stop), self.parking.follow_retries(stop, self.redo_parked))

    async def _fire_until(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.fire_due()
                await self.backlog()
            except Exception as error:  # the database away: the timers stay due and are tried again
                log.warning("firing timers failed: %r", error)
            await sleep_or_stop(stop, self.poll)

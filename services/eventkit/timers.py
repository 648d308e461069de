"""Durable timers: survive restarts, fire once, take an injectable clock.

A handler schedules a timer with ``schedule(ctx.conn, schema, ...)`` inside its command transaction.
The TimerRunner finds due timers (``FOR UPDATE SKIP LOCKED``, so several processes never fire the
same one) and, per timer, runs its handler, appends what the handler decided and marks it fired —
all in one transaction. A crash before commit leaves the timer due; after commit it is done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.commands import Actor, Role
from contracts.envelope import utc_now
from services.eventkit.aio import sleep_or_stop
from services.eventkit.commanding import CommandContext, Decision, append_decisions
from services.eventkit.db import Conn
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
    ) -> None:
        self.service, self.store, self.handlers, self.clock, self.poll = service, store, handlers, clock, poll
        self.actor = Actor(id=f"system:{service}-timers", scope=scope, roles=frozenset({Role.SYSTEM}))

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
                f"SELECT timer_id, kind, due_at, payload, attempts FROM {s}.timers"
                " WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED",
                now,
            )
            if row is None:
                return False
            timer = Timer(row["timer_id"], row["kind"], row["due_at"], row["payload"])
            try:
                async with conn.transaction():  # a savepoint: a failing handler leaves no trace
                    await self._run_handler(conn, timer, now)
            except Exception as error:  # retried later, so the timers due after it still fire
                delay = min(RETRY_BASE_SECONDS * 2 ** row["attempts"], RETRY_MAX_SECONDS)
                log.exception("timer %s failed; retrying in %ss", timer.timer_id, delay)
                await conn.execute(
                    f"UPDATE {s}.timers SET attempts = attempts + 1, last_error = $2,"
                    " due_at = $3::timestamptz + make_interval(secs => $4) WHERE timer_id = $1",
                    timer.timer_id,
                    f"{type(error).__name__}: {error}"[:2000],
                    now,
                    float(delay),
                )
                return True
            await conn.execute(
                f"UPDATE {s}.timers SET fired_at = $2 WHERE timer_id = $1", timer.timer_id, now
            )
        return True

    async def _run_handler(self, conn: Conn, timer: Timer, now: datetime) -> None:
        handler = self.handlers.get(timer.kind)
        if handler is None:
            raise LookupError(f"no handler for timer kind {timer.kind}")
        context = CommandContext(conn, self.store, self.actor, now)
        decided = await handler(context, timer)
        await append_decisions(context, decided, self.service, correlation_id=timer.timer_id)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.fire_due()
            except Exception:  # a failing timer stays due and is tried again
                log.exception("firing timers failed")
            await sleep_or_stop(stop, self.poll)

"""The rescorer: takes the (unit, period) pairs marked dirty, deepest units first so a county sees its
townships' new totals, recomputes them and appends ScoreComputed where a score changed — the scores,
the events and the removal of the marks in one transaction. A crash before commit leaves the marks, so
the work is simply done again; an unchanged score appends nothing, so it is never doubled.

The marks are a queue that facts only insert into (sql/002), so no fact waits for a rescoring. A batch
takes up to ``batch`` marks (skipping those another rescorer holds), then removes every mark of those
pairs *before* it reads any fact: each mark removed was committed with its fact, which the reads after
see; a mark committed later stays, and its pair is scored again.

When a batch fails, it is scored again with each unit-period in a savepoint: one that fails (a fact no
scheme can place, say) rests and is retried a bounded number of times with backoff, then parked with its
reason (eventkit/parking.py), while every other unit and period goes on being scored."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime

import asyncpg

from contracts.commands import Actor, Role
from contracts.envelope import utc_now
from services.assessment import tables
from services.assessment.scorer import ScoreRun
from services.eventkit import metrics
from services.eventkit.aio import sleep_or_stop
from services.eventkit.commanding import CommandContext, append_decisions
from services.eventkit.db import Conn
from services.eventkit.parking import Parked, Parking, Verdict, reason_of
from services.eventkit.periods import parse_period
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.store import WrongExpectedVersion
from services.eventkit.transient import is_transient

log = logging.getLogger(__name__)
WORKER = "assessment-rescorer"
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)


def mark_item(unit: str, period: str) -> str:
    return f"{unit}@{period}"


class Rescorer:
    def __init__(
        self,
        store: PostgresEventStore,
        *,
        scope: str,
        clock: Callable[[], datetime] = utc_now,
        poll: float = 0.5,
        batch: int = 500,
        budget: int = 5,
    ) -> None:
        self.store, self.clock, self.poll, self.batch = store, clock, poll, batch
        self.actor = Actor(id="system:assessment-rescorer", scope=scope, roles=frozenset({Role.SYSTEM}))
        self.parking = Parking(store.pool, tables.SCHEMA, WORKER, budget)
        self.waiting: dict[str, float] = {}  # item → monotonic time before which a failed mark rests

    async def rescore(self) -> int:
        """Recompute one batch of dirty scores; return how many marks it cleared."""
        try:
            return await self._rescore(careful=False)
        except Exception as error:
            if isinstance(error, WrongExpectedVersion) or is_transient(error):
                raise
            # Some unit-period failed: the batch again, each in a savepoint, to find which.
            log.warning("a rescoring batch failed; scoring each unit-period apart: %r", error)
            return await self._rescore(careful=True)

    async def _rescore(self, *, careful: bool) -> int:
        """One batch in one transaction; ``careful`` scores each mark in a savepoint (two more round trips
        each, so only once a batch has failed) and retries or parks the marks that fail."""
        now = time.monotonic()
        self.waiting = {item: until for item, until in self.waiting.items() if until > now}
        async with self.store.transaction() as conn:
            marks = await tables.take_marks(conn, self.batch, list(self.waiting))
            if not marks:
                return 0
            run = ScoreRun(CommandContext(conn, self.store, self.actor, self.clock()))
            cleared: list[asyncpg.Record] = []
            for mark in marks:
                try:
                    async with run.attempt() if careful else nullcontext():
                        await run.compute(mark["unit"], parse_period(mark["period"]))
                except Exception as error:
                    if not careful:
                        raise
                    if await self._failed(conn, mark, error):
                        cleared.append(mark)
                    continue
                cleared.append(mark)
            await append_decisions(run.ctx, run.decisions, "assessment", correlation_id=None)
            resting = [mark for mark in marks if mark not in cleared]  # failed, not parked: mark again
            await tables.mark_again(conn, [(mark["unit"], mark["period"], mark["depth"]) for mark in resting])
            await self.parking.forget(conn, [mark_item(m["unit"], m["period"]) for m in cleared])
        return len(cleared)

    async def _failed(self, conn: Conn, mark: asyncpg.Record, error: Exception) -> bool:
        """Rest the mark before another try, or park it after its budget; True when parked."""
        item = mark_item(mark["unit"], mark["period"])
        verdict, attempts = await self.parking.judge(item, error)
        if verdict is Verdict.TRANSIENT:
            raise error  # the surroundings failed: the whole batch is tried again, nothing counted
        if verdict is Verdict.PARK:
            payload = json.dumps({"unit": mark["unit"], "period": mark["period"], "depth": mark["depth"]})
            await self.parking.park(conn, item, reason_of(error), attempts, payload.encode())
            return True
        rest = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
        self.waiting[item] = time.monotonic() + rest
        return False

    async def redo_parked(self, conn: Conn, parked: Parked) -> None:
        """An operator's retry: the unit-period is marked dirty again, with a fresh budget."""
        mark = json.loads(parked.payload)
        await tables.mark_again(conn, [(mark["unit"], mark["period"], mark["depth"])])

    async def drain(self) -> int:
        cleared = 0
        while found := await self.rescore():
            cleared += found
        return cleared

    async def backlog(self) -> int:
        """Pairs waiting to be scored (a pair marked by many facts is scored once)."""
        async with self.store.pool.acquire() as conn:
            found = await tables.marked_pairs(conn)
        metrics.worker_backlog.labels(WORKER).set(found)
        return found

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(self._rescore_until(stop), self.parking.follow_retries(stop, self.redo_parked))

    async def _rescore_until(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.drain()
                await self.backlog()
            except WrongExpectedVersion:  # an assessor wrote to the same sheet meanwhile: go again
                continue
            except Exception as error:  # the marks stay; tried again on the next round
                log.warning("rescoring failed: %r", error)
            await sleep_or_stop(stop, self.poll)

"""The rescorer: takes the (unit, period) pairs marked dirty, deepest units first so a county sees its
townships' new totals, recomputes them and appends ScoreComputed where a score changed — the scores,
the events and the removal of the marks in one transaction. A crash before commit leaves the marks, so
the work is simply done again; an unchanged score appends nothing, so it is never doubled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from contracts.commands import Actor, Role
from contracts.envelope import utc_now
from services.assessment.factstore import SCHEMA
from services.assessment.scorer import ScoreRun
from services.eventkit.aio import sleep_or_stop
from services.eventkit.commanding import CommandContext, append_decisions
from services.eventkit.periods import parse_period
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.store import WrongExpectedVersion

log = logging.getLogger(__name__)


class Rescorer:
    def __init__(
        self,
        store: PostgresEventStore,
        *,
        scope: str,
        clock: Callable[[], datetime] = utc_now,
        poll: float = 0.5,
        batch: int = 500,
    ) -> None:
        self.store, self.clock, self.poll, self.batch = store, clock, poll, batch
        self.actor = Actor(id="system:assessment-rescorer", scope=scope, roles=frozenset({Role.SYSTEM}))

    async def rescore(self) -> int:
        """Recompute one batch of dirty scores; return how many marks it cleared."""
        async with self.store.transaction() as conn:
            marks = await conn.fetch(
                f"SELECT unit, period FROM {SCHEMA}.dirty ORDER BY depth DESC, unit, period"
                " LIMIT $1 FOR UPDATE SKIP LOCKED",
                self.batch,
            )
            if not marks:
                return 0
            run = ScoreRun(CommandContext(conn, self.store, self.actor, self.clock()))
            for mark in marks:
                await run.compute(mark["unit"], parse_period(mark["period"]))
            await append_decisions(run.ctx, run.decisions, "assessment", correlation_id=None)
            await conn.executemany(
                f"DELETE FROM {SCHEMA}.dirty WHERE unit = $1 AND period = $2",
                [(mark["unit"], mark["period"]) for mark in marks],
            )
        return len(marks)

    async def drain(self) -> int:
        cleared = 0
        while found := await self.rescore():
            cleared += found
        return cleared

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.drain()
            except WrongExpectedVersion:  # an assessor wrote to the same sheet meanwhile: go again
                continue
            except Exception:  # the marks stay; tried again on the next round
                log.exception("rescoring failed")
            await sleep_or_stop(stop, self.poll)

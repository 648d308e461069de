"""Durable timers: they survive a restart, fire once even with two runners, and obey a fake clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from contracts.outreach import ActivityKind, ActivityLogged
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.timers import Timer, TimerRunner, cancel, schedule


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def fire(context: CommandContext, timer: Timer) -> Decision:
    stream = f"timer-test:{timer.payload['n']}"
    version = await context.store.stream_version(stream, conn=context.conn)
    event = ActivityLogged(
        activity_id=f"timer-{timer.payload['n']}",
        unit="3205",
        kind=ActivityKind.DRILL,
        topic="应急演练",
        held_on=context.now.date(),
        audience=0,
    )
    return Decision(stream, version, "3205", [event])


async def test_timers_fire_once_when_due_and_survive_a_restart(database_url: str) -> None:
    start = datetime(2026, 9, 30, 1, 0, tzinfo=UTC)
    clock = FakeClock(start)
    pool = await create_pool(database_url, max_size=6)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, "tim", service_migrations(None))
        store = PostgresEventStore(pool, "tim")
        async with pool.acquire() as conn, conn.transaction():
            for n in range(3):
                due = start + timedelta(hours=n + 1)
                await schedule(conn, "tim", Timer(f"t-{n}", "test", due, {"n": n}))
            await cancel(conn, "tim", "t-2")

        first = TimerRunner("tim", store, {"test": fire}, clock=clock)
        assert await first.fire_due() == 0  # nothing due yet
        clock.now = start + timedelta(hours=1, minutes=1)
        assert await first.fire_due() == 1

        # "Restart": a new runner (and a rival one racing it) sees only what the database says.
        clock.now = start + timedelta(days=2)
        second = TimerRunner("tim", store, {"test": fire}, clock=clock)
        rival = TimerRunner("tim", store, {"test": fire}, clock=clock)
        fired = await asyncio.gather(second.fire_due(), rival.fire_due())
        assert sum(fired) == 1
        assert await second.fire_due() == 0

        assert [len(await store.read_stream(f"timer-test:{n}")) for n in range(3)] == [1, 1, 0]
        rows = await pool.fetch("SELECT timer_id, fired_at FROM tim.timers ORDER BY timer_id")
        assert [(r["timer_id"], r["fired_at"] is not None) for r in rows] == [("t-0", True), ("t-1", True)]
    finally:
        await pool.close()


async def test_a_failing_timer_is_retried_later_and_does_not_block_the_next(database_url: str) -> None:
    start = datetime(2026, 9, 30, 1, 0, tzinfo=UTC)
    clock = FakeClock(start)
    pool = await create_pool(database_url, max_size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, "tim", service_migrations(None))
        store = PostgresEventStore(pool, "tim")
        broken = {"yes": True}

        async def flaky(context: CommandContext, timer: Timer) -> Decision:
            if broken["yes"]:
                raise RuntimeError("the case is locked")
            return await fire(context, timer)

        async with pool.acquire() as conn, conn.transaction():
            await schedule(conn, "tim", Timer("first", "flaky", start, {"n": 1}))
            await schedule(conn, "tim", Timer("second", "test", start + timedelta(minutes=1), {"n": 2}))
        runner = TimerRunner("tim", store, {"test": fire, "flaky": flaky}, clock=clock)
        clock.now = start + timedelta(minutes=2)
        assert await runner.fire_due() == 2  # the failure is handled and the next timer fires
        row = await pool.fetchrow("SELECT fired_at, due_at FROM tim.timers WHERE timer_id = 'first'")
        assert row is not None
        assert row["fired_at"] is None
        assert row["due_at"] > clock.now
        failure = await pool.fetchrow("SELECT attempts, last_error FROM tim.failures WHERE item = 'first'")
        assert failure is not None
        assert (failure["attempts"], failure["last_error"]) == (1, "RuntimeError: the case is locked")
        assert len(await store.read_stream("timer-test:2")) == 1

        broken["yes"] = False
        clock.now = start + timedelta(hours=1)
        assert await runner.fire_due() == 1
        assert len(await store.read_stream("timer-test:1")) == 1
        assert await pool.fetchval("SELECT count(*) FROM tim.failures") == 0  # success clears the count
    finally:
        await pool.close()


async def test_a_timer_failing_past_its_budget_is_parked_and_others_fire(database_url: str) -> None:
    start = datetime(2026, 9, 30, 1, 0, tzinfo=UTC)
    clock = FakeClock(start)
    pool = await create_pool(database_url, max_size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, "tim", service_migrations(None))
        store = PostgresEventStore(pool, "tim")
        broken = {"yes": True}

        async def poison(context: CommandContext, timer: Timer) -> Decision:
            if broken["yes"]:
                raise ValueError("year 1 has no working days")
            return await fire(context, timer)

        async with pool.acquire() as conn, conn.transaction():
            await schedule(conn, "tim", Timer("bad", "poison", start, {"n": 1}))
            for n in range(2, 5):
                await schedule(conn, "tim", Timer(f"good-{n}", "test", start + timedelta(hours=n), {"n": n}))
        runner = TimerRunner("tim", store, {"test": fire, "poison": poison}, clock=clock, budget=3)
        for day in range(1, 4):  # each round, past the bad timer's backoff
            clock.now = start + timedelta(days=day)
            await runner.fire_due()
        assert [len(await store.read_stream(f"timer-test:{n}")) for n in range(1, 5)] == [0, 1, 1, 1]
        (parked,) = await pool.fetch("SELECT worker, item, reason, attempts FROM tim.parked")
        assert (parked["worker"], parked["item"], parked["attempts"]) == ("tim-timers", "bad", 3)
        assert parked["reason"] == "ValueError: year 1 has no working days"
        clock.now = start + timedelta(days=30)
        assert await runner.fire_due() == 0  # parked: no longer due, however late it is
        assert await runner.backlog() == 0

        broken["yes"] = False  # the operator fixed the cause and asks for a retry
        await pool.execute("UPDATE tim.parked SET retry_requested_at = now()")
        assert await runner.parking.retry_requested(runner.redo_parked) == 1
        assert await runner.fire_due() == 1
        assert len(await store.read_stream("timer-test:1")) == 1
        assert await pool.fetchval("SELECT count(*) FROM tim.parked") == 0
    finally:
        await pool.close()

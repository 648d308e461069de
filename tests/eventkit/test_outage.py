"""A PostgreSQL outage longer than the whole retry budget parks nothing: outages never count toward an
event's attempts (transient.py decides what is an outage), only the event's own failures do, counted in
the consumer's own ledger rather than from the server's delivery count."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from nats.aio.msg import Msg

from contracts.envelope import EventEnvelope
from services.eventkit.consumer import Reaction, ReactionConsumer
from services.eventkit.db import Conn
from services.eventkit.embedded import PostgresServer
from services.eventkit.transient import is_transient
from tests.eventkit.counting import create_effects_table, effect_counts, record_effect
from tests.eventkit.events import envelope
from tests.eventkit.rig import rig
from tests.helpers import wait_until

BUDGET = 3
SUBJECT = "sanji.ev.outreach.activity_logged.3205._._"
NOT_YET = "the database system is not yet accepting connections"


@pytest.fixture
async def own_postgres() -> AsyncIterator[PostgresServer]:
    """A server of this test's own, to stop and start; its data outside pytest's rotating folders."""
    folder = Path(tempfile.mkdtemp(prefix="sanji-outage-"))
    server = PostgresServer(folder / "pg", fast=True)
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)
        shutil.rmtree(folder, ignore_errors=True)


class WatchedConsumer(ReactionConsumer):
    """Remembers how often the server has delivered each message."""

    deliveries: dict[int, int]

    async def handle(self, message: Msg) -> None:
        self.deliveries[message.metadata.sequence.stream] = message.metadata.num_delivered
        await super().handle(message)


async def test_facts_pending_through_an_outage_longer_than_the_budget_are_applied_once(
    nats_url: str, own_postgres: PostgresServer
) -> None:
    async with rig(nats_url, own_postgres.url, pool_size=5) as r:
        await create_effects_table(r.pool, r.schema)
        tried: set[str] = set()
        starting: dict[str, int] = {}

        async def handler(conn: Conn, event: EventEnvelope) -> None:
            if starting.get(event.id, 0) > 0:  # PostgreSQL still starting, more times than the budget
                starting[event.id] -= 1
                raise asyncpg.exceptions.CannotConnectNowError(NOT_YET)
            if event.id not in tried:  # and each fact's first try fails on its own, once
                tried.add(event.id)
                raise ValueError("a passing glitch of this fact")
            await record_effect(conn, r.schema, event.id)

        reaction = Reaction(
            name="kit-outage",
            filter_subjects=["sanji.ev.>"],
            handler=handler,
            max_attempts=BUDGET,
            backoff=(0.05,),
        )
        consumer = WatchedConsumer(r.js, r.pool, r.schema, reaction)
        consumer.deliveries = {}
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            warm = envelope("o-0", 1)
            await r.js.publish(SUBJECT, warm.model_dump_json().encode(), headers={"Nats-Msg-Id": warm.id})
            await wait_until(lambda: _applied(r.pool, {warm.id}), message="the consumer never started")

            await asyncio.to_thread(own_postgres.stop)
            facts = [envelope(f"o-{n}", 1) for n in range(1, 21)]
            starting[facts[0].id] = BUDGET + 2
            for fact in facts:
                await r.js.publish(SUBJECT, fact.model_dump_json().encode(), headers={"Nats-Msg-Id": fact.id})

            def delivered_past_the_budget() -> bool:
                seqs = range(2, 2 + len(facts))
                return all(consumer.deliveries.get(seq, 0) > BUDGET + 1 for seq in seqs)

            await wait_until(
                delivered_past_the_budget, message="facts were not redelivered during the outage"
            )
            await asyncio.to_thread(own_postgres.start)

            expected = {warm.id} | {fact.id for fact in facts}
            await wait_until(lambda: _applied(r.pool, expected), timeout=60, message="facts not applied")
            assert await r.pool.fetchval("SELECT count(*) FROM kit.parked") == 0
            assert set((await effect_counts(r.pool, r.schema)).values()) == {1}  # each exactly once
            assert await r.pool.fetchval("SELECT count(*) FROM kit.failures") == 0  # counts cleared
        finally:
            stop.set()
            await task


async def _applied(pool: asyncpg.Pool, expected: set[str]) -> bool:
    try:
        return set(await effect_counts(pool, "kit")) == expected
    except Exception as error:  # the database is on its way back
        if is_transient(error):
            return False
        raise


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.CannotConnectNowError(NOT_YET),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.CrashShutdownError("terminating connection because of crash of another process"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("connection is closed"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError(),
    ],
    ids=lambda error: type(error).__name__,
)
def test_outages_are_transient(error: Exception) -> None:
    assert is_transient(error)


def test_an_outage_that_caused_an_error_is_transient_too() -> None:
    error = RuntimeError("the handler gave up")
    error.__cause__ = asyncpg.exceptions.AdminShutdownError(
        "terminating connection due to administrator command"
    )
    assert is_transient(error)
    assert not is_transient(RuntimeError("the handler gave up"))


@pytest.mark.parametrize(
    "error",
    [
        ValueError("year 1 is not a period"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
        KeyError("unit"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_failures_of_the_item_itself_are_not_transient(error: Exception) -> None:
    assert not is_transient(error)

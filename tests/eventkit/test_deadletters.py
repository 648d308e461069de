"""Parking: an event a reaction or the projection cannot handle is retried a bounded number of times,
then parked with its reason while later events keep flowing; an operator lists, retries and discards it
(the functions behind `sanji dlq`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from contracts.envelope import EventEnvelope
from services.eventkit.consumer import Reaction, ReactionConsumer
from services.eventkit.db import Conn
from services.eventkit.deadletters import discard_parked, list_parked, request_retry
from services.eventkit.parking import Parked
from services.eventkit.projector import Delivered, ProjectorRunner
from tests.eventkit.counting import CountingProjector, create_effects_table, effect_counts, record_effect
from tests.eventkit.events import envelope
from tests.eventkit.rig import Rig, rig
from tests.helpers import wait_until

CONSUMER = "kit-poison"
SUBJECT = "sanji.ev.outreach.activity_logged.3205._._"


async def publish(r: Rig, *events: EventEnvelope) -> None:
    for event in events:
        await r.js.publish(SUBJECT, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id})


@asynccontextmanager
async def running(
    work: asyncio.Future[None] | asyncio.Task[None], stop: asyncio.Event
) -> AsyncIterator[None]:
    try:
        yield
    finally:
        stop.set()
        await work


async def parked_now(r: Rig) -> list[Parked]:
    async with r.pool.acquire() as conn:
        return await list_parked(conn)


async def _effects_are(r: Rig, expected: set[str]) -> bool:
    return set(await effect_counts(r.pool, r.schema)) == expected


async def test_a_poison_event_is_parked_after_its_budget_and_later_events_keep_flowing(
    nats_url: str, database_url: str
) -> None:
    async with rig(nats_url, database_url) as r:
        await create_effects_table(r.pool, r.schema)
        cured: set[str] = set()
        tries: dict[str, int] = {}

        async def handler(conn: Conn, event: EventEnvelope) -> None:
            tries[event.id] = tries.get(event.id, 0) + 1
            if event.data["audience"] == 666 and event.id not in cured:
                raise ValueError("audience 666 is not allowed")
            await record_effect(conn, r.schema, event.id)

        good_before, bad, good_after = (
            envelope("s-1", 1),
            envelope("s-2", 1, audience=666),
            envelope("s-3", 1),
        )
        await r.js.publish(SUBJECT, b"{not json", headers={"Nats-Msg-Id": "junk-1"})
        await publish(r, good_before, bad, good_after)
        reaction = Reaction(
            name=CONSUMER, filter_subjects=["sanji.ev.>"], handler=handler, max_attempts=3, backoff=(0.05,)
        )
        stop = asyncio.Event()
        consumer = ReactionConsumer(r.js, r.pool, r.schema, reaction)
        async with running(asyncio.create_task(consumer.run(stop)), stop):

            async def two_parked() -> bool:
                return len(await parked_now(r)) == 2

            await wait_until(two_parked, message="the poison was never parked")
            await wait_until(
                lambda: _effects_are(r, {good_before.id, good_after.id}),
                message="good events stopped flowing",
            )
            items = {item.item: item for item in await parked_now(r)}
            assert tries[bad.id] == 3  # its budget, no more
            assert items[bad.id].reason == "ValueError: audience 666 is not allowed"
            assert (items[bad.id].attempts, items[bad.id].worker, items[bad.id].schema) == (
                3,
                CONSUMER,
                "kit",
            )
            junk = next(item for key, item in items.items() if key.startswith("seq:"))
            assert junk.reason.startswith("poison: not a Sanji event envelope")
            assert junk.attempts == 1  # no retry can fix junk
            assert await r.pool.fetchval("SELECT count(*) FROM kit.failures") == 0  # parking clears counts

            cured.add(bad.id)  # the operator fixed the cause; send it back
            async with r.pool.acquire() as conn:
                await request_retry(conn, items[bad.id].ref)
            await wait_until(
                lambda: _effects_are(r, {good_before.id, bad.id, good_after.id}),
                message="the retried event was not applied",
            )
            await wait_until(lambda: _parked_count_is(r, 1), message="the retried event stayed parked")
            async with r.pool.acquire() as conn:
                await discard_parked(conn, junk.ref)
            assert await parked_now(r) == []
        assert set((await effect_counts(r.pool, r.schema)).values()) == {1}


async def _parked_count_is(r: Rig, count: int) -> bool:
    return len(await parked_now(r)) == count


async def test_projector_parks_a_non_event_and_keeps_going(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url) as r:
        await create_effects_table(r.pool, r.schema)
        before, after = envelope("p-1", 1), envelope("p-2", 1)
        await publish(r, before)
        await r.js.publish(SUBJECT, b"[]", headers={"Nats-Msg-Id": "junk-2"})
        await publish(r, after)
        stop = asyncio.Event()
        runner = ProjectorRunner(r.js, r.pool, r.schema, [CountingProjector()])
        async with running(asyncio.create_task(runner.run(stop)), stop):
            await wait_until(
                lambda: _effects_are(r, {before.id, after.id}), message="projector stalled on junk"
            )
            (junk,) = await parked_now(r)
            assert (junk.worker, junk.item) == ("projector", "seq:2")
            assert "is not a Sanji event" in junk.reason


class FragileView(CountingProjector):
    """Fails on audience 666 until cured, as a view meeting data it was not written for."""

    def __init__(self) -> None:
        self.cured = False

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        for delivered in batch:
            if delivered.envelope.data["audience"] == 666 and not self.cured:
                raise ValueError("audience 666 breaks the view")
        await super().apply(conn, schema, batch)


async def test_projector_parks_an_event_it_cannot_apply_and_applies_the_later_ones(
    nats_url: str, database_url: str
) -> None:
    async with rig(nats_url, database_url) as r:
        await create_effects_table(r.pool, r.schema)
        first, bad, later = envelope("q-1", 1), envelope("q-2", 1, audience=666), envelope("q-3", 1)
        await publish(r, first, bad, later)
        view = FragileView()
        stop = asyncio.Event()
        runner = ProjectorRunner(r.js, r.pool, r.schema, [view], budget=3)
        async with running(asyncio.create_task(runner.run(stop)), stop):
            await wait_until(
                lambda: _effects_are(r, {first.id, later.id}), message="later events not applied"
            )
            (parked,) = await parked_now(r)
            assert (parked.worker, parked.item, parked.attempts) == ("projector", "seq:2", 3)
            assert parked.reason == "ValueError: audience 666 breaks the view"
            assert await runner.checkpoint() == 3
            extra = envelope("q-4", 1)
            await publish(r, extra)  # and the projection keeps following the stream
            await wait_until(
                lambda: _effects_are(r, {first.id, later.id, extra.id}), message="stream not followed"
            )

            view.cured = True
            async with r.pool.acquire() as conn:
                await request_retry(conn, parked.ref)
            await wait_until(
                lambda: _effects_are(r, {first.id, bad.id, later.id, extra.id}), message="retry lost"
            )
            await wait_until(lambda: _parked_count_is(r, 0), message="the retried event stayed parked")
        assert set((await effect_counts(r.pool, r.schema)).values()) == {1}


async def test_a_parked_event_of_a_reaction_that_appends_is_retried_inside_a_writer_transaction(
    nats_url: str, database_url: str
) -> None:
    """A reaction that decides and appends (eventkit/deciding.py) runs inside a writer transaction of its
    store, or the store refuses the append (the relay could pass it). An operator's retry of its parked
    event must open the same kind of transaction: the retried event appends once and leaves ``parked``."""
    async with rig(nats_url, database_url) as r:
        cured: set[str] = set()

        async def handler(conn: Conn, event: EventEnvelope) -> None:
            if event.id not in cured:
                raise ValueError("not yet")
            await r.store.append(f"reacted:{event.id}", 0, [envelope(f"reacted:{event.id}", 1)], conn=conn)

        bad = envelope("w-1", 1)
        await publish(r, bad)
        reaction = Reaction(
            name="kit-deciding", filter_subjects=[SUBJECT], handler=handler, max_attempts=2, backoff=(0.05,)
        )
        stop = asyncio.Event()
        consumer = ReactionConsumer(r.js, r.pool, r.schema, reaction, store=r.store)
        async with running(asyncio.create_task(consumer.run(stop)), stop):
            await wait_until(lambda: _parked_count_is(r, 1), message="the event was never parked")
            cured.add(bad.id)
            async with r.pool.acquire() as conn:
                await request_retry(conn, (await parked_now(r))[0].ref)
            await wait_until(lambda: _parked_count_is(r, 0), message="the retried event stayed parked")
        stored = await r.pool.fetchval(
            "SELECT count(*) FROM kit.events WHERE stream_id = $1", f"reacted:{bad.id}"
        )
        assert stored == 1

"""Poison messages go to the dead-letter stream with their reason after bounded retries; later
messages keep flowing; an operator can list, retry and discard them."""

from __future__ import annotations

import asyncio

from contracts.envelope import EventEnvelope
from services.eventkit.consumer import Reaction, ReactionConsumer
from services.eventkit.db import Conn
from services.eventkit.deadletters import (
    dead_letter_count,
    discard_dead_letter,
    list_dead_letters,
    retry_dead_letter,
)
from services.eventkit.projector import ProjectorRunner
from tests.eventkit.counting import CountingProjector, create_effects_table, effect_counts, record_effect
from tests.eventkit.events import envelope
from tests.eventkit.rig import Rig, rig
from tests.helpers import wait_until

CONSUMER = "kit-poison"


async def test_poison_goes_to_dead_letters_and_later_messages_keep_flowing(
    nats_url: str, database_url: str
) -> None:
    async with rig(nats_url, database_url) as r:
        await create_effects_table(r.pool, r.schema)
        cured: set[str] = set()

        async def handler(conn: Conn, event: EventEnvelope) -> None:
            if event.data["audience"] == 666 and event.id not in cured:
                raise ValueError("audience 666 is not allowed")
            await record_effect(conn, r.schema, event.id)

        good_before = envelope("s-1", 1)
        bad = envelope("s-2", 1, audience=666)
        good_after = envelope("s-3", 1)
        await r.js.publish(
            "sanji.ev.outreach.activity_logged.3205._._", b"{not json", headers={"Nats-Msg-Id": "junk-1"}
        )
        for event in (good_before, bad, good_after):
            await r.js.publish(
                "sanji.ev.outreach.activity_logged.3205._._",
                event.model_dump_json().encode(),
                headers={"Nats-Msg-Id": event.id},
            )

        reaction = Reaction(
            name=CONSUMER, filter_subjects=["sanji.ev.>"], handler=handler, max_attempts=3, backoff=(0.05,)
        )
        stop = asyncio.Event()
        task = asyncio.create_task(ReactionConsumer(r.js, r.pool, r.schema, reaction).run(stop))
        try:

            async def two_dead_letters() -> bool:
                return await dead_letter_count(r.js) == 2

            await wait_until(two_dead_letters, message="poison never reached the dead letters")
            await wait_until(
                lambda: _effects_are(r, {good_before.id, good_after.id}),
                message="good messages stopped flowing",
            )
            letters = await list_dead_letters(r.js)
            reasons = {letter.event_id: letter for letter in letters}
            assert reasons[bad.id].error == "ValueError: audience 666 is not allowed"
            assert reasons[bad.id].attempts == 3
            assert reasons[bad.id].consumer == CONSUMER
            assert reasons[None].error.startswith("poison: not a Sanji event envelope")
            assert reasons[None].attempts == 1  # no retry can fix junk

            cured.add(bad.id)  # the operator fixed the cause; send it back
            await retry_dead_letter(r.js, reasons[bad.id].seq)
            await wait_until(
                lambda: _effects_are(r, {good_before.id, bad.id, good_after.id}),
                message="retried letter not applied",
            )
            await discard_dead_letter(r.js, reasons[None].seq)
            assert await dead_letter_count(r.js) == 0
            assert await list_dead_letters(r.js) == []
        finally:
            stop.set()
            await task
        assert set((await effect_counts(r.pool, r.schema)).values()) == {1}


async def _effects_are(r: Rig, expected: set[str]) -> bool:
    return set(await effect_counts(r.pool, r.schema)) == expected


async def test_projector_dead_letters_a_non_event_and_keeps_going(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url) as r:
        await create_effects_table(r.pool, r.schema)
        before, after = envelope("p-1", 1), envelope("p-2", 1)
        subject = "sanji.ev.outreach.activity_logged.3205._._"
        await r.js.publish(subject, before.model_dump_json().encode(), headers={"Nats-Msg-Id": before.id})
        await r.js.publish(subject, b"[]", headers={"Nats-Msg-Id": "junk-2"})
        await r.js.publish(subject, after.model_dump_json().encode(), headers={"Nats-Msg-Id": after.id})
        stop = asyncio.Event()
        task = asyncio.create_task(ProjectorRunner(r.js, r.pool, r.schema, [CountingProjector()]).run(stop))
        try:
            await wait_until(
                lambda: _effects_are(r, {before.id, after.id}), message="projector stalled on junk"
            )
            letters = await list_dead_letters(r.js)
            assert [(x.consumer, x.original_seq) for x in letters] == [("projection-counting", 2)]
            assert "is not a Sanji event" in letters[0].error
        finally:
            stop.set()
            await task

"""The projector's lean pull reader, against a real nats-server: every message once, in stream order,
across many requests; never more than two batches ahead of a slow reader."""

from __future__ import annotations

import json

import pytest
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.subjects import EVENTS_STREAM
from services.eventkit.pull import PullConsumerGone, PullReader
from tests.eventkit.rig import rig

CONFIG = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, max_waiting=1)


async def publish(js: JetStreamContext, count: int) -> None:
    for n in range(count):
        await js.publish("sanji.ev.test.pulled", str(n).encode(), stream=EVENTS_STREAM)


async def test_reads_every_message_once_in_order_across_requests(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url) as r:
        await publish(r.js, 95)
        reader = await PullReader.open(r.js, EVENTS_STREAM, CONFIG, batch=10)
        try:
            seen: list[int] = []
            while len(seen) < 95:
                batch = await reader.take(2.0)
                assert batch, "the reader stalled before the end of the stream"
                assert len(batch) <= 10
                seen += [int(m.data) for m in batch]
            await publish(r.js, 5)  # published after the reader caught up: delivered on the open request
            for _ in range(5):  # take hands over what has arrived so far: maybe not all five at once
                seen += [int(m.data) for m in await reader.take(2.0)]
                if len(seen) >= 100:
                    break
        finally:
            await reader.close()
        assert seen == list(range(95)) + list(range(5))


async def test_a_slow_reader_is_never_sent_more_than_two_batches(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url) as r:
        await publish(r.js, 100)
        reader = await PullReader.open(r.js, EVENTS_STREAM, CONFIG, batch=10)
        try:
            first = await reader.take(2.0)
            for _ in range(20):  # give the server every chance to send more than was asked for
                await r.nc.flush()
            assert len(first) == 10
            assert len(reader._buffer) <= 2 * 10
        finally:
            await reader.close()


async def until_it_raises(reader: PullReader) -> None:
    for _ in range(100):  # 20 s at most
        assert await reader.take(0.2) == []


async def take_until_it_raises(reader: PullReader, taken: list[int]) -> None:
    for _ in range(100):  # 20 s at most
        taken += [int(m.data) for m in await reader.take(0.2)]


async def test_a_deleted_consumer_ends_the_reader(nats_url: str, database_url: str) -> None:
    """The server ends a waiting request with 409 when its consumer is deleted: the reader raises (its
    caller starts again from its checkpoint) instead of waiting for messages that will never come."""
    async with rig(nats_url, database_url) as r:
        reader = await PullReader.open(r.js, EVENTS_STREAM, CONFIG, batch=10)
        try:
            assert await reader.take(0.2) == []
            await r.js.delete_consumer(EVENTS_STREAM, reader.consumer)
            with pytest.raises(PullConsumerGone):
                await until_it_raises(reader)
        finally:
            await reader.close()


async def test_messages_delivered_elsewhere_end_the_reader_instead_of_being_skipped(
    nats_url: str, database_url: str
) -> None:
    """Without acknowledgements a message the server delivered but the reader never got (lost with a
    dropped connection) is gone for good. Here another request on the same consumer takes one of them, as
    a lost batch would: the reader fails at the gap (its caller starts again from its checkpoint) and
    hands over nothing that came after it."""
    async with rig(nats_url, database_url) as r:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, max_waiting=4)
        reader = await PullReader.open(r.js, EVENTS_STREAM, config, batch=5)
        thief = await r.nc.subscribe(r.nc.new_inbox())
        try:
            next_subject = f"$JS.API.CONSUMER.MSG.NEXT.{EVENTS_STREAM}.{reader.consumer}"
            await r.nc.publish(next_subject, json.dumps({"batch": 1}).encode(), reply=thief.subject)
            await r.nc.flush()
            await publish(r.js, 6)
            stolen = int((await thief.next_msg(timeout=5)).data)  # delivered, never to reach the reader
            await publish(r.js, 2)  # so that a gap shows even when the stolen one was the sixth
            taken: list[int] = []
            with pytest.raises(PullConsumerGone, match="lost in flight"):
                await take_until_it_raises(reader, taken)
            assert taken == list(range(len(taken)))
            assert len(taken) <= stolen
        finally:
            await thief.unsubscribe()
            await reader.close()

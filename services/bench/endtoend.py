"""The whole path, command to read model: how many events per second become visible in the projection,
and how long after their command was sent."""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.subjects import EVENTS_STREAM, EVENTS_SUBJECTS
from services.bench.workload import BenchError, Load, Rig, caught_up, command_load, wait_for

LoadFn = Callable[[Rig, int, float], Awaitable[Load]]


@dataclass(frozen=True)
class EndToEnd:
    load: Load
    lags: list[float]  # command sent → visible in the projection
    lags_after_reply: list[float]  # reply received → visible: the relay + projection share of the lag
    events_per_s: float


async def end_to_end(rig: Rig, clients: int, seconds: float, load_with: LoadFn = command_load) -> EndToEnd:
    """Commands under load while the projection's checkpoint is sampled every 10 ms.

    An event is visible once the checkpoint covers its stream sequence (the checkpoint commits with
    the rows it changed): at the first sample that covers it. Rate = events / (last visible − first sent).
    """
    await wait_for(lambda: caught_up(rig), "the projection to catch up before the end-to-end run")
    start_seq = await rig.last_seq()
    samples: list[tuple[float, int]] = []
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            seq = await rig.checkpoint()
            samples.append((time.perf_counter(), seq))
            await asyncio.sleep(0.01)

    sampler = asyncio.create_task(sample())
    try:
        load = await load_with(rig, clients, seconds)
        target = start_seq + load.ok  # nothing else writes to the stream meanwhile
        await wait_for(lambda: caught_up_to(samples, target), "the projection to apply the end-to-end events")
    finally:
        stop.set()
        await sampler
    sequences = await stream_sequences(rig.js, start_seq + 1, target)
    sampled_seqs = [seq for _, seq in samples]
    lags, after_reply = [], []
    for sent, replied, event_id in load.sent:
        if event_id not in sequences:
            raise BenchError(f"event {event_id} never reached {EVENTS_STREAM}")
        visible = samples[bisect.bisect_left(sampled_seqs, sequences[event_id])][0]
        lags.append(visible - sent)
        after_reply.append(visible - replied)
    first_sent = min(sent for sent, _, _ in load.sent)
    last_visible = max(sent + lag for (sent, _, _), lag in zip(load.sent, lags, strict=True))
    return EndToEnd(load, lags, after_reply, load.ok / (last_visible - first_sent))


async def caught_up_to(samples: list[tuple[float, int]], target: int) -> bool:
    return bool(samples) and samples[-1][1] >= target


async def stream_sequences(js: JetStreamContext, first: int, last: int) -> dict[str, int]:
    """Event id (Nats-Msg-Id) → stream sequence for the stream range [first, last]."""
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=first,
        ack_policy=AckPolicy.NONE,
        inactive_threshold=30.0,
    )
    subscription = await js.pull_subscribe(EVENTS_SUBJECTS, durable=None, stream=EVENTS_STREAM, config=config)
    found: dict[str, int] = {}
    seq = first - 1
    try:
        while seq < last:
            try:
                messages = await subscription.fetch(500, timeout=5.0)
            except (NatsTimeout, TimeoutError):
                break
            for message in messages:
                seq = message.metadata.sequence.stream
                if message.headers and "Nats-Msg-Id" in message.headers:
                    found[message.headers["Nats-Msg-Id"]] = seq
    finally:
        await subscription.unsubscribe()
    return found

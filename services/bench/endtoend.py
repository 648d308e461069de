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
        # First wait for as many events as succeeded (reading the stream back meanwhile would take CPU
        # from the projection being timed), then for the last of them: more only if a timed-out
        # command's events came in between.
        at_least = start_seq + load.ok
        await wait_for(
            lambda: caught_up_to(samples, at_least), "the projection to apply the end-to-end events"
        )
        sequences = await sent_sequences(rig, load, start_seq)
        target = max(sequences.values(), default=start_seq)
        await wait_for(lambda: caught_up_to(samples, target), "the projection to apply the end-to-end events")
    finally:
        stop.set()
        await sampler
    sampled_seqs = [seq for _, seq in samples]
    lags, after_reply = [], []
    for sent, replied, event_id in load.sent:
        visible = samples[bisect.bisect_left(sampled_seqs, sequences[event_id])][0]
        lags.append(visible - sent)
        after_reply.append(visible - replied)
    first_sent = min(sent for sent, _, _ in load.sent)
    last_visible = max(sent + lag for (sent, _, _), lag in zip(load.sent, lags, strict=True))
    return EndToEnd(load, lags, after_reply, load.ok / (last_visible - first_sent))


async def sent_sequences(rig: Rig, load: Load, start_seq: int) -> dict[str, int]:
    """Stream sequence of every event a successful command stored. Not simply the next ``load.ok``
    sequences: a command whose reply timed out may still have committed, and its events interleave."""
    wanted = {event_id for _, _, event_id in load.sent}
    found: dict[str, int] = {}

    async def all_found() -> bool:
        last = await rig.last_seq()
        if last - start_seq >= len(wanted):
            found.update(await stream_sequences(rig.js, start_seq + 1, last))
        return wanted <= found.keys()

    try:
        await wait_for(all_found, f"the end-to-end events to reach {EVENTS_STREAM}")
    except BenchError:
        missing = next(iter(wanted - found.keys()))
        raise BenchError(f"event {missing} never reached {EVENTS_STREAM}") from None
    return {event_id: found[event_id] for event_id in wanted}


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

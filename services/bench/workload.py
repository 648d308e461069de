"""Sanji's own figures, measured against the real services running as separate processes: commands
through NATS request/reply, the relay draining a backlog, the projection catching up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from contracts.subjects import EVENTS_STREAM
from services.bench.procs import ServiceProcess
from services.bench.sample import ACTOR, CITY, ActivityFactory
from services.eventkit.client import SanjiClient, encode_request
from services.eventkit.db import connect
from services.eventkit.pgstore import PostgresEventStore

POLL = 0.005  # seconds between samples while timing a drain
DRAIN_TIMEOUT = 180.0
APPENDS_PER_TRANSACTION = 250
FILL_WORKERS = 4


class BenchError(RuntimeError):
    """Something broke (not: something was slow)."""


@dataclass
class Rig:
    nc: NatsClient
    js: JetStreamContext
    pool: asyncpg.Pool
    database_url: str
    services: dict[str, ServiceProcess]
    factory: ActivityFactory
    rss_peak: dict[str, int] = field(default_factory=dict)

    @property
    def client(self) -> SanjiClient:
        return SanjiClient(self.nc, timeout=30.0)

    async def last_seq(self) -> int:
        return int((await self.js.stream_info(EVENTS_STREAM)).state.last_seq)

    async def checkpoint(self) -> int:
        """The projection's applied stream sequence (committed with the rows it changed)."""
        value = await self.pool.fetchval("SELECT seq FROM projection.stream_checkpoints WHERE name = 'units'")
        return int(value or 0)

    def sample_rss(self) -> None:
        for name, service in self.services.items():
            if service.proc is not None:
                self.rss_peak[name] = max(self.rss_peak.get(name, 0), service.rss_bytes())


async def wait_for(
    check: Callable[[], Awaitable[bool]],
    what: str,
    timeout: float = DRAIN_TIMEOUT,  # noqa: ASYNC109 - a polling deadline
) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise BenchError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.05)


async def start(services: list[ServiceProcess]) -> None:
    for service in services:
        service.start()
    await asyncio.gather(*(service.wait_ready() for service in services))


async def register_units(rig: Rig, units: list[tuple[str, str, str]]) -> None:
    """Register the unit tree in duty and wait until outreach has learned every unit from its events."""
    for path, name, kind in units:
        reply = await rig.client.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, ACTOR)
        if not reply.ok:
            raise BenchError(f"registering {path} failed: {reply.error}")

    async def all_known() -> bool:
        return int(await rig.pool.fetchval("SELECT count(*) FROM outreach.known_units")) >= len(units)

    await wait_for(all_known, "outreach to learn the units")


BULK_ROWS = 200  # activities per log_activities command in the bulk end-to-end run


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    # (sent, replied, event id) of each success, perf_counter seconds
    sent: list[tuple[float, float, str]] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    elapsed: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)


async def log_one(rig: Rig, client: SanjiClient, load: Load) -> None:
    """One log_activity command, awaited, recorded in ``load`` as a success or an error."""
    body = rig.factory.body()
    sent = time.perf_counter()
    reply = await client.send("outreach.log_activity", body, ACTOR)
    replied = time.perf_counter()
    if reply.ok and reply.events:
        load.latencies.append(replied - sent)
        load.sent.append((sent, replied, reply.events[0]))
    else:
        load.errors += 1
        load.first_error = load.first_error or str(reply.error)


def checked(load: Load, started: float) -> Load:
    load.elapsed = time.perf_counter() - started
    if not load.ok:
        raise BenchError(f"no command succeeded: {load.first_error}")
    return load


async def command_load(rig: Rig, clients: int, seconds: float) -> Load:
    """``clients`` concurrent senders of log_activity, each awaiting its reply, for ``seconds``."""
    load, client = Load(), rig.client

    async def sender(until: float) -> None:
        while time.perf_counter() < until:
            await log_one(rig, client, load)

    started = time.perf_counter()
    await asyncio.gather(*(sender(started + seconds) for _ in range(clients)))
    return checked(load, started)


async def paced_load(rig: Rig, rate: float, seconds: float) -> Load:
    """log_activity sent at a fixed ``rate`` a second whatever the replies do (an open loop, as many
    clerks each sending now and then): the latency a steady load sees, not the most it can take."""
    load, client = Load(), rig.client
    sending: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    for n in range(int(rate * seconds)):
        due = started + n / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)  # the pace itself: a bench, not a test
        sending.append(asyncio.create_task(log_one(rig, client, load)))
    await asyncio.gather(*sending)
    return checked(load, started)


BULK_REQUESTS_PER_S = 25  # requests built ahead per second of load: 5,000 events/s, more than two cores reach


def bulk_request(rig: Rig, source: str, rows: int) -> bytes:
    """One outreach.log_activities request of ``rows`` new activities, encoded as sent."""
    batch = []
    for row in range(1, rows + 1):
        body = rig.factory.body()
        external_id = body.pop("activity_id")
        batch.append({**body, "row": row, "external_id": external_id})
    return encode_request({"source": source, "unit": CITY, "rows": batch}, ACTOR)


async def bulk_load(rig: Rig, clients: int, seconds: float, rows: int = BULK_ROWS) -> Load:
    """``clients`` concurrent senders of outreach.log_activities (``rows`` activities a command, as an
    import from another system sends them), for ``seconds``; one Load entry per event.

    The requests are built before the clock starts: building 200-row requests took a tenth of the two
    cores the services share, which a real importing system would spend on its own machine."""
    load, client = Load(), rig.client
    source = f"bench-{rig.factory.tag}"
    ready = iter([bulk_request(rig, source, rows) for _ in range(int(seconds * BULK_REQUESTS_PER_S))])

    async def sender(until: float) -> None:
        while time.perf_counter() < until:
            payload = next(ready, None) or bulk_request(rig, source, rows)
            sent = time.perf_counter()
            reply = await client.send_raw("outreach.log_activities", payload)
            replied = time.perf_counter()
            if reply.ok and reply.events:
                for event_id in reply.events:
                    load.latencies.append(replied - sent)
                    load.sent.append((sent, replied, event_id))
            else:
                load.errors += 1
                load.first_error = load.first_error or str(reply.error or reply.result)

    started = time.perf_counter()
    await asyncio.gather(*(sender(started + seconds) for _ in range(clients)))
    load.elapsed = time.perf_counter() - started
    if not load.ok:
        raise BenchError(f"no bulk command succeeded: {load.first_error}")
    return load


async def warm_up(rig: Rig, clients: int, count: int) -> None:
    """``count`` commands, untimed: connections opened, code paths and query plans warm."""
    remaining = iter(range(count))
    client = rig.client

    async def sender() -> None:
        for _ in remaining:
            reply = await client.send("outreach.log_activity", rig.factory.body(), ACTOR)
            if not reply.ok:
                raise BenchError(f"warm-up command failed: {reply.error}")

    await asyncio.gather(*(sender() for _ in range(clients)))


async def drain(
    service: ServiceProcess, read: Callable[[], Awaitable[int]], start_value: int, target: int
) -> dict[str, float]:
    """Start ``service`` and poll ``read`` until it goes from ``start_value`` to ``target``.

    Timed from the last poll that still saw ``start_value`` (clock read before that poll) to the first
    that saw ``target`` (clock read after it): process start-up is excluded, the error is conservative.
    The service's CPU time over the same span says whether it was busy or waiting.
    """
    spawned = time.perf_counter()
    service.start()
    before, cpu_before = spawned, 0.0
    while True:
        polled_at, cpu = time.perf_counter(), service.cpu_seconds()
        value = await read()
        now = time.perf_counter()
        if value <= start_value:
            before, cpu_before = polled_at, cpu
        elif value >= target:
            break
        if now - spawned > DRAIN_TIMEOUT:
            raise BenchError(f"{service.name}: stuck at {value} of {target} after {DRAIN_TIMEOUT:.0f}s")
        await asyncio.sleep(POLL)
    busy = service.cpu_seconds() - cpu_before
    await service.wait_ready()
    return {
        "events_per_s": (target - start_value) / (now - before),
        "events": target - start_value,
        "drain_seconds": now - before,
        "wall_seconds_with_startup": now - spawned,
        "cores_used": busy / (now - before),
    }


async def fill_backlog(rig: Rig, count: int) -> None:
    """Append ``count`` ActivityLogged events to outreach's store, as its command bus would."""
    store = PostgresEventStore(rig.pool, "outreach")
    envelopes = [rig.factory.envelope() for _ in range(count)]
    chunks = iter(
        [envelopes[i : i + APPENDS_PER_TRANSACTION] for i in range(0, count, APPENDS_PER_TRANSACTION)]
    )

    async def writer() -> None:
        conn = await connect(rig.database_url)
        try:
            for chunk in chunks:  # shared iterator: each chunk goes to exactly one writer
                async with store.writers.writing(conn):
                    for envelope in chunk:
                        await store.append(envelope.subject, 0, [envelope], conn=conn)
        finally:
            await conn.close()

    await asyncio.gather(*(writer() for _ in range(FILL_WORKERS)))


async def relay_drain(rig: Rig, backlog: int) -> dict[str, float]:
    """Outreach stopped, ``backlog`` events stored, outreach started: how fast the stream takes them."""
    outreach = rig.services["outreach"]
    await outreach.stop()
    filling = time.perf_counter()
    await fill_backlog(rig, backlog)
    fill_seconds = time.perf_counter() - filling
    base = await rig.last_seq()
    return await drain(outreach, rig.last_seq, base, base + backlog) | {"fill_seconds": fill_seconds}


async def projection_drain(rig: Rig) -> dict[str, float]:
    """Projection started behind the stream head: how fast its checkpoint reaches the head."""
    projection = rig.services["projection"]
    head, checkpoint = await rig.last_seq(), await rig.checkpoint()
    if head <= checkpoint:
        raise BenchError("the projection has no backlog to apply")
    return await drain(projection, rig.checkpoint, checkpoint, head)


async def caught_up(rig: Rig) -> bool:
    return await rig.checkpoint() >= await rig.last_seq()

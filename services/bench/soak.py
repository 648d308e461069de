"""`sanji bench --soak SECONDS`: the benched services under a steady load at half the end-to-end rate the
same run measured first, for SECONDS: each service's RSS after warm-up and at the end, the projection's
lag percentiles, and whether anything acknowledged was lost. Memory is flat when no service grew by 10%
or more after warm-up. The exit code is 0 unless something broke or was lost; growth is reported only."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from services.bench import endtoend, workload
from services.bench.phases import CLIENTS, progress, running_rig
from services.bench.report import MB, percentile
from services.bench.sample import CITY, unit_tree
from services.eventkit.embedded import NatsServer, PostgresServer

FLAT_GROWTH = 0.10  # RSS growth after warm-up under this is "flat"
IN_FLIGHT = 64  # commands awaiting their reply at most; the pace, not this, sets the rate


@dataclass(frozen=True)
class SoakPlan:
    seconds: float
    measure_seconds: float  # the end-to-end run that sets the rate
    warmup_seconds: float  # at the soak's rate, before the starting RSS is read
    warmup_commands: int

    @classmethod
    def lasting(cls, seconds: float) -> SoakPlan:
        """Full measurement and a minute of warm-up for a real soak; a few seconds of each for a check."""
        if seconds >= 60:
            return cls(seconds, measure_seconds=10.0, warmup_seconds=60.0, warmup_commands=200)
        return cls(seconds, measure_seconds=1.0, warmup_seconds=1.0, warmup_commands=5)


def paced_load(rate: float) -> endtoend.LoadFn:
    """An open-loop load: one log_activity every 1/rate seconds, whatever the replies' pace, with at most
    ``clients`` commands awaiting their reply (the rest wait their turn)."""

    async def load_at_pace(rig: workload.Rig, clients: int, seconds: float) -> workload.Load:
        load, client, in_flight = workload.Load(), rig.client, asyncio.Semaphore(clients)
        running: set[asyncio.Task[None]] = set()

        async def one() -> None:
            try:
                await workload.log_one(rig, client, load)
            finally:
                in_flight.release()

        started, sent = time.perf_counter(), 0
        while (due := started + sent / rate) < started + seconds:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await in_flight.acquire()
            task = asyncio.create_task(one())
            running.add(task)
            task.add_done_callback(running.discard)
            sent += 1
        await asyncio.gather(*running)
        load.elapsed = time.perf_counter() - started
        return load

    return load_at_pace


async def counted(rig: workload.Rig) -> int:
    """Activities the projection's views count for the whole city."""
    value = await rig.pool.fetchval(
        "SELECT COALESCE(sum(subtree_activities), 0) FROM projection.activity_counts WHERE path = $1", CITY
    )
    return int(value)


def rss_lines(start: dict[str, int], end: dict[str, int], peak: dict[str, int]) -> list[str]:
    lines = []
    for name, first in start.items():
        growth = (end[name] - first) / first
        lines.append(
            f"rss {name:<11} start {first / MB:7.1f} MB   end {end[name] / MB:7.1f} MB"
            f"   growth {growth:+6.1%}   peak {peak.get(name, end[name]) / MB:7.1f} MB"
        )
    return lines


async def soak(plan: SoakPlan, nats_url: str, database_url: str, log_dir: Path) -> bool:
    """Run the soak and print its figures; False if anything acknowledged was not counted."""
    tree = unit_tree(2, 4)
    async with running_rig(nats_url, database_url, log_dir, tree) as rig:
        progress("starting duty, outreach and projection")
        await workload.start(list(rig.services.values()))
        await workload.register_units(rig, tree)
        await workload.warm_up(rig, 4, plan.warmup_commands)
        progress(f"measuring the end-to-end rate, {CLIENTS} clients, {plan.measure_seconds:g} s")
        measured = await endtoend.end_to_end(rig, CLIENTS, plan.measure_seconds)
        rate = measured.events_per_s / 2
        progress(f"warming up at {rate:.1f} commands/s for {plan.warmup_seconds:g} s")
        await endtoend.end_to_end(rig, IN_FLIGHT, plan.warmup_seconds, paced_load(rate))
        rss_start = {name: service.rss_bytes() for name, service in rig.services.items()}
        rig.rss_peak.clear()
        before = await counted(rig)
        progress(f"soaking at {rate:.1f} commands/s for {plan.seconds:g} s")
        sampling = asyncio.create_task(sample_rss_every(rig, 5.0))
        try:
            run = await endtoend.end_to_end(rig, IN_FLIGHT, plan.seconds, paced_load(rate))
        finally:
            sampling.cancel()
        rss_end = {name: service.rss_bytes() for name, service in rig.services.items()}
        stored = await counted(rig) - before
    load = run.load
    lost = max(0, load.ok - stored)
    growth = max((rss_end[name] - rss_start[name]) / rss_start[name] for name in rss_start)
    lines = [
        f"soak: {plan.seconds:g} s at {rate:.1f} commands/s (half the measured end-to-end "
        f"{measured.events_per_s:.1f} events/s), after {plan.warmup_seconds:g} s of warm-up at that rate",
        *rss_lines(rss_start, rss_end, rig.rss_peak),
        f"projection lag (command sent → visible): p50 {percentile(run.lags, 0.5) * 1000:.0f} ms"
        f"   p90 {percentile(run.lags, 0.9) * 1000:.0f} ms   p99 {percentile(run.lags, 0.99) * 1000:.0f} ms"
        f"   max {max(run.lags) * 1000:.0f} ms",
        f"sent {load.ok + load.errors}   acknowledged {load.ok}   refused or unanswered {load.errors}"
        f"   counted {stored}   lost {lost}",
        f"memory flat (under {FLAT_GROWTH:.0%} growth after warm-up): {'yes' if growth < FLAT_GROWTH else 'no'}"
        f" (largest growth {growth:+.1%})",
    ]
    print("\n".join(lines), flush=True)
    return lost == 0


async def sample_rss_every(rig: workload.Rig, seconds: float) -> None:
    """Each service's peak RSS, sampled until cancelled."""
    while True:
        rig.sample_rss()
        await asyncio.sleep(seconds)


def run_soak(seconds: float) -> int:
    """The soak on fresh, durable embedded servers; 0 unless something broke or was lost."""
    with tempfile.TemporaryDirectory(prefix="sanji-soak-") as tmp:
        root = Path(tmp)
        nats_server = NatsServer(root / "nats")
        postgres = PostgresServer(root / "pg", fast=False)
        try:
            progress("starting nats-server and PostgreSQL")
            nats_server.start()
            postgres.start()
            whole = asyncio.run(soak(SoakPlan.lasting(seconds), nats_server.url, postgres.url, root))
        except Exception as error:
            traceback.print_exc()
            print(f"\nsoak broke: {error}", file=sys.stderr)
            return 1
        finally:
            postgres.stop()
            nats_server.stop()
    if not whole:
        print("\nsoak lost acknowledged commands", file=sys.stderr)
    return 0 if whole else 1

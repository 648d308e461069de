"""The Sanji half of a run, phase by phase, against duty, outreach and projection in their own processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats

from contracts.subjects import EVENTS_STREAM
from services.bench import endtoend, history, peer, workload
from services.bench.procs import CpuMeter, ServiceProcess, log_tail
from services.bench.report import MB, SERVICES, percentile
from services.bench.sample import ActivityFactory
from services.eventkit.db import create_pool

CLIENTS = 16
PACE = 200.0  # commands a second in the paced phase: the steady load


@dataclass(frozen=True)
class SanjiSizes:
    counties: int
    townships_per_county: int
    warmup_commands: int
    command_seconds: float  # per client count
    e2e_seconds: float
    backlog_events: int  # per drain round
    drain_rounds: int
    import_rows: int  # the history file `sanji import` loads


def progress(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


class SanjiPhases:
    def __init__(self, rig: workload.Rig, server_pids: dict[str, int]) -> None:
        self.rig, self.server_pids = rig, server_pids
        self.figures: dict[str, float] = {}
        self.details: dict[str, Any] = {"cpu_cores": {}, "phase_seconds": {}, "cpu_ms_per_command": {}}

    @contextmanager
    def phase(self, name: str, message: str, cpu: bool = False) -> Iterator[None]:
        """Time a phase; with ``cpu``, also record the cores each process used during it."""
        progress(message)
        started = time.perf_counter()
        pids = {n: s.proc.pid for n, s in self.rig.services.items() if s.proc is not None}
        meter = CpuMeter(pids | self.server_pids | {"bench_clients": os.getpid()}) if cpu else None
        yield
        if meter is not None:
            self.details["cpu_cores"][name] = meter.cores()
        self.details["phase_seconds"][name] = round(time.perf_counter() - started, 2)
        self.rig.sample_rss()

    def cpu_per_command(self, phase: str, load: workload.Load) -> None:
        """Milliseconds of CPU each process spent per successful command during ``phase``."""
        cores = self.details["cpu_cores"][phase]
        self.details["cpu_ms_per_command"][phase] = {
            name: used * load.elapsed * 1000 / load.ok for name, used in cores.items()
        }

    async def commands(self, seconds: float) -> None:
        for clients, suffix in ((1, "1client"), (CLIENTS, "16clients")):
            with self.phase(f"commands_{suffix}", f"commands, {clients} client(s), {seconds:g} s", cpu=True):
                load = await workload.command_load(self.rig, clients, seconds)
            self.cpu_per_command(f"commands_{suffix}", load)
            self.figures[f"commands_per_s_{suffix}"] = load.ok / load.elapsed
            self.figures[f"command_p50_ms_{suffix}"] = percentile(load.latencies, 0.5) * 1000
            self.figures[f"command_p99_ms_{suffix}"] = percentile(load.latencies, 0.99) * 1000
            self.details[f"commands_{suffix}"] = {
                "ok": load.ok,
                "errors": load.errors,
                "first_error": load.first_error,
            }

    async def paced(self, seconds: float) -> None:
        with self.phase("commands_paced", f"commands at {PACE:g} a second, {seconds:g} s", cpu=True):
            load = await workload.paced_load(self.rig, PACE, seconds)
        self.cpu_per_command("commands_paced", load)
        self.figures["paced_commands_per_s"] = load.ok / load.elapsed
        self.figures["paced_p50_ms"] = percentile(load.latencies, 0.5) * 1000
        self.figures["paced_p99_ms"] = percentile(load.latencies, 0.99) * 1000
        self.details["commands_paced"] = {
            "ok": load.ok,
            "errors": load.errors,
            "first_error": load.first_error,
        }

    async def peer(self, seconds: float) -> None:
        """pyeventsourcing on the same PostgreSQL (services/bench/peer.py), while Sanji idles."""
        with self.phase("peer", f"pyeventsourcing saves, sequential and {peer.THREADS} threads", cpu=True):
            self.figures |= await peer.measure_peer(self.rig.database_url, seconds)

    async def end_to_end(self, seconds: float) -> None:
        with self.phase("end_to_end", f"end to end, {CLIENTS} clients, {seconds:g} s", cpu=True):
            run = await endtoend.end_to_end(self.rig, CLIENTS, seconds)
        self.figures["e2e_events_per_s"] = run.events_per_s
        self.figures["e2e_lag_p50_ms"] = percentile(run.lags, 0.5) * 1000
        self.figures["e2e_lag_p99_ms"] = percentile(run.lags, 0.99) * 1000
        self.details["end_to_end"] = {
            "events": run.load.ok,
            "errors": run.load.errors,
            "lag_max_ms": max(run.lags) * 1000,
            "command_p50_ms": percentile(run.load.latencies, 0.5) * 1000,
            "command_p99_ms": percentile(run.load.latencies, 0.99) * 1000,
            "after_reply_lag_p50_ms": percentile(run.lags_after_reply, 0.5) * 1000,
            "after_reply_lag_p99_ms": percentile(run.lags_after_reply, 0.99) * 1000,
        }

    async def end_to_end_bulk(self, seconds: float, rounds: int) -> None:
        """The median of ``rounds`` runs: one run of ten seconds swung by a fifth with the machine's speed."""
        clients = 4
        label = (
            f"end to end via bulk import ({workload.BULK_ROWS} rows a command), {clients} clients,"
            f" {rounds} x {seconds:g} s"
        )
        runs = []
        with self.phase("end_to_end_bulk", label, cpu=True):
            for _ in range(rounds):
                runs.append(await endtoend.end_to_end(self.rig, clients, seconds, workload.bulk_load))
        run = sorted(runs, key=lambda r: r.events_per_s)[len(runs) // 2]
        self.figures["e2e_bulk_events_per_s"] = run.events_per_s
        self.figures["e2e_bulk_lag_p50_ms"] = percentile(run.lags, 0.5) * 1000
        self.figures["e2e_bulk_lag_p99_ms"] = percentile(run.lags, 0.99) * 1000
        self.details["end_to_end_bulk"] = {
            "events": run.load.ok,
            "errors": sum(r.load.errors for r in runs),
            "rounds_events_per_s": [round(r.events_per_s) for r in runs],
        }

    async def drains(self, backlog: int, rounds: int) -> None:
        relay_rounds, projection_rounds = [], []
        for n in range(1, rounds + 1):
            with self.phase(
                f"relay_round_{n}", f"relay round {n}/{rounds}: {backlog} events behind outreach"
            ):
                await self.rig.services["projection"].stop()  # it gets the same events as its backlog next
                relay_rounds.append(await workload.relay_drain(self.rig, backlog))
            with self.phase(f"projection_round_{n}", f"projection round {n}/{rounds}: catching up"):
                projection_rounds.append(await workload.projection_drain(self.rig))
        self.figures["relay_events_per_s"] = statistics.median(r["events_per_s"] for r in relay_rounds)
        self.figures["projection_apply_events_per_s"] = statistics.median(
            r["events_per_s"] for r in projection_rounds
        )
        self.details["relay_rounds"] = relay_rounds
        self.details["projection_rounds"] = projection_rounds

    async def rebuild(self) -> None:
        """The projection rebuilt from every event the run stored, beside reading those events alone."""
        with self.phase("replay_floor", "replay floor: every stored event fetched from JetStream"):
            floor = await history.replay_floor(self.rig.js)
        with self.phase("rebuild", f"rebuilding the projection from {floor.count} events", cpu=True):
            rebuilt = await history.rebuild(self.rig)
        self.figures["js_replay_msgs_per_s"] = floor.per_s
        self.figures["rebuild_events_per_s"] = rebuilt.per_s
        self.details["rebuild"] = {"events": rebuilt.count, "seconds": round(rebuilt.seconds, 2)}

    async def history_import(self, rows: int, log_dir: Path) -> None:
        """`sanji import` of a history file through the gateway, beside a raw COPY of the rows it wrote."""
        path = history.history_file(log_dir, rows, self.rig.factory.units, self.rig.factory.tag)
        gateway = await history.start_gateway(self.rig, log_dir)
        try:
            with self.phase("import", f"sanji import of {rows} activities through the gateway", cpu=True):
                imported, after = await history.import_history(self.rig, gateway, path)
        finally:
            await gateway.stop()
        with self.phase("import_floor", f"COPY floor: the {imported.count} rows the import wrote"):
            copied = await history.import_copy_floor(self.rig.database_url, after)
        self.figures["import_rows_per_s"] = imported.per_s
        self.figures["pg_copy_import_rows_per_s"] = copied.per_s
        self.details["import"] = {"rows": imported.count, "seconds": round(imported.seconds, 2)}

    async def assessment_catch_up(self, nats_url: str, log_dir: Path, window: float) -> None:
        """Assessment started on everything the run stored (hundreds of thousands of facts in a full run):
        how many facts a second its consumer learns, over ``window`` seconds or until it has caught up.
        Absorbing a backlog at N facts a second means keeping up with N a second."""
        assessment = ServiceProcess("assessment", nats_url, self.rig.database_url, log_dir)
        with self.phase("assessment", f"assessment learning the stored facts, up to {window:g} s", cpu=True):
            spawned = time.perf_counter()
            await workload.start([assessment])
            await workload.wait_for(lambda: has_learned(self.rig), "assessment's first fact")
            first, started = await inbox_count(self.rig), time.perf_counter()
            with contextlib.suppress(workload.BenchError):  # a full run's backlog outlasts the window
                await workload.wait_for(lambda: facts_pending(self.rig), "assessment to catch up", window)
            learned, learning = await inbox_count(self.rig) - first, time.perf_counter() - started
            if learned == 0:  # a quick run's few facts all came in the first batch: time them from the spawn
                learned, learning = first, time.perf_counter() - spawned
            rss = assessment.rss_bytes()
            await assessment.stop()  # the backlog it leaves is not this run's business
        self.figures["assessment_facts_per_s"] = learned / learning
        self.details["assessment"] = {"facts": learned, "seconds": round(learning, 2), "rss_mb": rss / MB}

    def memory(self) -> None:
        for name, service in self.rig.services.items():
            self.figures[f"rss_mb_{name}"] = service.rss_bytes() / MB
        self.details["rss_peak_mb"] = {name: rss / MB for name, rss in self.rig.rss_peak.items()}


@asynccontextmanager
async def running_rig(
    nats_url: str, database_url: str, log_dir: Path, tree: list[tuple[str, str, str]]
) -> AsyncIterator[workload.Rig]:
    """The benched services started in their own processes, with the bench's connections; each service's
    log tail is printed when the run breaks, and everything is stopped afterwards."""
    services = {name: ServiceProcess(name, nats_url, database_url, log_dir) for name in SERVICES}
    nc = await nats.connect(nats_url, name="sanji-bench")
    pool = await create_pool(database_url, max_size=8)
    factory = ActivityFactory([path for path, _, _ in tree])
    try:
        yield workload.Rig(nc, nc.jetstream(), pool, database_url, services, factory)
    except Exception:
        for service in services.values():
            print(f"--- {service.name} log (tail) ---\n{log_tail(service.log_path, 15)}", file=sys.stderr)
        raise
    finally:
        await asyncio.gather(*(service.stop() for service in services.values()))
        await pool.close()
        await nc.close()


async def measure_sanji(
    sizes: SanjiSizes,
    nats_url: str,
    database_url: str,
    *,
    server_pids: dict[str, int],
    log_dir: Path,
    tree: list[tuple[str, str, str]],
) -> tuple[dict[str, float], dict[str, Any]]:
    """Sanji's figures and the details behind them (errors, CPU per process, drain rounds)."""
    async with running_rig(nats_url, database_url, log_dir, tree) as rig:
        phases = SanjiPhases(rig, server_pids)
        with phases.phase("start", "starting duty, outreach and projection"):
            await workload.start(list(rig.services.values()))
        with phases.phase("units", f"registering {len(tree)} units, warming up"):
            await workload.register_units(rig, tree)
            await workload.warm_up(rig, 4, sizes.warmup_commands)
        await phases.commands(sizes.command_seconds)
        await phases.paced(sizes.command_seconds)
        await phases.peer(sizes.command_seconds)
        await phases.end_to_end(sizes.e2e_seconds)
        await phases.end_to_end_bulk(sizes.e2e_seconds, sizes.drain_rounds)
        await phases.drains(sizes.backlog_events, sizes.drain_rounds)
        await phases.rebuild()
        await phases.history_import(sizes.import_rows, log_dir)
        await phases.assessment_catch_up(nats_url, log_dir, sizes.e2e_seconds * 2)
        phases.memory()
        phases.details["service_command"] = " ".join(rig.services["outreach"].command[1:])
    return phases.figures, phases.details


async def inbox_count(rig: workload.Rig) -> int:
    return int(await rig.pool.fetchval("SELECT count(*) FROM assessment.inbox") or 0)


async def has_learned(rig: workload.Rig) -> bool:
    exists = await rig.pool.fetchval("SELECT to_regclass('assessment.inbox') IS NOT NULL")
    return bool(exists) and await inbox_count(rig) > 0


async def facts_pending(rig: workload.Rig) -> bool:
    """True once assessment's consumer has nothing left to take or to ack."""
    info = await rig.js.consumer_info(EVENTS_STREAM, "assessment-facts")
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)

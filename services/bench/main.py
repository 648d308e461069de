"""`sanji bench`: one run on fresh, durable embedded servers — raw floors first, then Sanji's services
as separate processes — printed as a table and written to bench-results.json.

Benchmarks report; they never fail on speed. The exit code is 0 unless something broke.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.bench.floors import FloorSizes, measure_floors
from services.bench.machine import machine_info
from services.bench.phases import SanjiSizes, measure_sanji, progress
from services.bench.report import assess, render
from services.bench.sample import unit_tree
from services.eventkit.embedded import NatsServer, PostgresServer


@dataclass(frozen=True)
class Plan:
    floors: FloorSizes
    sanji: SanjiSizes


FULL = Plan(
    FloorSizes(messages=30_000, copy_rows=50_000, insert_seconds=3.0, rounds=3),
    SanjiSizes(
        counties=4,
        townships_per_county=8,
        warmup_commands=200,
        command_seconds=10.0,
        e2e_seconds=10.0,
        backlog_events=30_000,
        drain_rounds=3,
        import_rows=20_000,
    ),
)
QUICK = Plan(
    FloorSizes(messages=500, copy_rows=1_000, insert_seconds=0.3, rounds=1),
    SanjiSizes(
        counties=1,
        townships_per_county=2,
        warmup_commands=5,
        command_seconds=0.5,
        e2e_seconds=0.5,
        backlog_events=300,
        drain_rounds=1,
        import_rows=200,
    ),
)

METHODS = {
    "servers": "fresh embedded nats-server (JetStream, file storage) and PostgreSQL with durable settings "
    "(fast=False: fsync, synchronous_commit and full_page_writes on), all on this machine",
    "services": "duty, outreach and projection each in its own process (`python -m services.cli.main "
    "service <name>`, i.e. `sanji service`) with default settings; the benchmark's clients run in one "
    "more process on the same CPUs",
    "floors": "raw nats-py / asyncpg on the same servers and the same bytes: real ActivityLogged envelopes "
    "with Nats-Msg-Id headers, rows shaped and indexed like the events table; measured before and after "
    "Sanji's phases, each floor the best of its rounds",
    "commands": "outreach.log_activity over NATS request/reply (SanjiClient), every client waiting for its "
    "reply, for a fixed time; throughput = successes / time, latency per request",
    "relay": "outreach stopped, N ActivityLogged events appended through PostgresEventStore (250 appends "
    "per transaction, 4 writers), outreach started; rate = N / time from the last 5 ms poll of "
    "SANJI_EVENTS last_seq still at its old value to the first at old + N (process start-up "
    "excluded); median of the rounds",
    "projection": "projection stopped during each relay round, then started with those N events behind; "
    "rate = N / time from the last 5 ms poll of projection.stream_checkpoints still at its old "
    "value to the first at the stream head; median of the rounds",
    "end_to_end": "16 clients sending log_activity with every service running while the bench samples the "
    "projection checkpoint every 10 ms; an event (found by id in SANJI_EVENTS) is visible at the "
    "first sample whose checkpoint covers its sequence (rows and checkpoint commit together); "
    "lag = visible − command sent; rate = events / (last visible − first sent)",
    "end_to_end_bulk": "the same measure with 4 clients sending outreach.log_activities (the bulk import "
    "command other systems use), 200 activities a command: one transaction appends 200 streams; the "
    "requests are built before each round's clock starts (the phase's CPU figures include building them); "
    "the median of the rounds (as many as the drain rounds)",
    "rebuild": "`sanji rebuild`'s work (services/projection/rebuild.py) in the bench process, every event "
    "the run stored replayed into a fresh projection copy and swapped in, with the projection service "
    "running; floor: the same events fetched by the same pull reader and batch, nothing applied, just before",
    "import": "`sanji import` (services/cli/import_cmd.py) of a JSON-lines file of activities through a "
    "gateway in its own process (batches of up to 500 rows, each outreach.log_activities); floor: the "
    "event rows that import wrote, read back and COPYed by a raw asyncpg connection into a scratch table "
    "shaped like the events table (chunks of 5,000 rows, each committed), just after",
    "rss": "psutil RSS of each service process after the last phase (peaks sampled between phases "
    "are in details)",
    "cpu_cores": "CPU seconds per process (PostgreSQL with all its backends) / wall seconds of the phase; "
    "for the drains, the draining service's CPU seconds over the timed span / its length",
}


def run(output: Path = Path("bench-results.json"), quick: bool = False) -> int:
    """Run the whole benchmark once, print the table, write ``output``; 0 unless something broke."""
    plan = QUICK if quick else FULL
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sanji-bench-") as tmp:
        root = Path(tmp)
        nats_server = NatsServer(root / "nats")
        postgres = PostgresServer(root / "pg", fast=False)  # floors must be honest: durable commits
        try:
            progress("starting nats-server and PostgreSQL")
            nats_server.start()
            postgres.start()
            measured = asyncio.run(_measure(plan, nats_server, postgres, root))
        except Exception as error:
            traceback.print_exc()
            print(f"\nbenchmark broke: {error}", file=sys.stderr)
            return 1
        finally:
            postgres.stop()
            nats_server.stop()
    results = {
        "quick": quick,
        "started_at": started_at,
        "elapsed_seconds": round(time.perf_counter() - started, 1),
        **measured,
    }
    print(render(results))
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {output}")
    return 0


async def _measure(
    plan: Plan, nats_server: NatsServer, postgres: PostgresServer, root: Path
) -> dict[str, Any]:
    sizes = plan.sanji
    tree = unit_tree(sizes.counties, sizes.townships_per_county)
    units = [path for path, _, _ in tree]
    progress(f"raw floors, {plan.floors.rounds} round(s)")
    floors = await measure_floors(nats_server.url, postgres.url, plan.floors, units)
    server_pids = {"nats_server": nats_server.pid or 0, "postgres": postgres.pid or 0}
    sanji, details = await measure_sanji(
        sizes, nats_server.url, postgres.url, server_pids=server_pids, log_dir=root, tree=tree
    )
    progress(f"raw floors again, {plan.floors.rounds} round(s): the machine's speed drifts during a run")
    floors += await measure_floors(nats_server.url, postgres.url, plan.floors, units)
    details |= {"payload_bytes": floors.payload_bytes, "floor_rounds": floors.rounds, "plan": asdict(plan)}
    return {
        "machine": await machine_info(postgres.url),
        "methods": METHODS,
        **assess(floors.best, sanji),
        "details": details,
    }

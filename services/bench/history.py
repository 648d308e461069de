"""History at bulk speed: a projection rebuild and a `sanji import`, each timed beside its own floor in
the same run (the rebuild against reading the same events from JetStream, the import against COPYing
the rows it wrote into a scratch table)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.subjects import EVENTS_STREAM, EVENTS_SUBJECTS
from services.bench.floors import COLUMNS, copy_floor, table_sql
from services.bench.procs import ServiceProcess
from services.bench.sample import CITY, yesterday
from services.bench.workload import Rig, start
from services.cli.import_cmd import run_import
from services.eventkit.pull import PullReader
from services.gateway.tokens import DEV_SECRET, TokenStore
from services.gateway.tokens_file import ensure_dev_token
from services.projection.rebuild import rebuild_projection

REPLAY_BATCH = 1000  # the rebuild's own batch size (rebuild.py)
IMPORT_FLOOR_SCHEMA = "bench_import_floor"


@dataclass(frozen=True)
class Timed:
    count: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.count / self.seconds


async def replay_floor(js: JetStreamContext) -> Timed:
    """Every event of SANJI_EVENTS fetched as the rebuild fetches them (same reader, consumer and
    batch), decoded and applied by nobody."""
    last = int((await js.stream_info(EVENTS_STREAM)).state.last_seq)
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=1,
        filter_subject=EVENTS_SUBJECTS,
        ack_policy=AckPolicy.NONE,
        inactive_threshold=30.0,
        max_waiting=1,
    )
    started = time.perf_counter()
    reader = await PullReader.open(js, EVENTS_STREAM, config, REPLAY_BATCH)
    received, through = 0, 0
    try:
        while through < last:
            messages = await reader.take(5.0)
            if not messages:
                raise RuntimeError(f"replay floor: stopped at sequence {through} of {last}")
            received += len(messages)
            through = messages[-1].metadata.sequence.stream
    finally:
        await reader.close()
    return Timed(received, time.perf_counter() - started)


async def rebuild(rig: Rig) -> Timed:
    """`sanji rebuild`'s work, in this process: replay every event into a fresh copy and swap it in."""
    events = await rig.last_seq()
    started = time.perf_counter()
    await rebuild_projection(rig.js, rig.pool)
    return Timed(events, time.perf_counter() - started)


def history_file(folder: Path, rows: int, units: list[str], tag: str) -> Path:
    """A JSON-lines history of ``rows`` activities, as an archive export would hold them."""
    held_on = yesterday().isoformat()
    lines = (
        json.dumps(
            {
                "external_id": f"history-{tag}-{n:07d}",
                "unit": units[n % len(units)],
                "kind": "outreach_talk",
                "topic": f"民法典宣讲 第{n}场",
                "held_on": held_on,
                "audience": 10 + n % 90,
            },
            ensure_ascii=False,
        )
        for n in range(rows)
    )
    path = folder / f"history-{tag}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def import_history(rig: Rig, gateway: ServiceProcess, path: Path) -> tuple[Timed, int]:
    """`sanji import` of ``path`` through the gateway in its own process; the timing and the position
    after which the import's events were stored."""
    store = TokenStore(rig.pool)
    await ensure_dev_token(store, CITY)
    before = int(await rig.pool.fetchval("SELECT coalesce(max(position), 0) FROM outreach.events"))
    headers = {"Authorization": f"Bearer {DEV_SECRET}"}
    url = f"http://127.0.0.1:{gateway.http_port}"
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        started = time.perf_counter()
        state = await run_import(path, "activities", f"bench-{path.stem}", CITY, http, show_progress=False)
        elapsed = time.perf_counter() - started
    if state.failed or state.imported != state.done:
        raise RuntimeError(f"import: {state.failed} rows failed, first: {state.problems[:1]}")
    return Timed(state.imported, elapsed), before


async def import_copy_floor(database_url: str, after: int) -> Timed:
    """The event rows the import wrote, COPYed by raw asyncpg (no codecs: the envelope goes as the text
    it was read as) into a scratch table shaped like the events table."""
    selected = ", ".join("envelope::text" if c == "envelope" else c for c in COLUMNS)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    assert pool is not None
    try:
        rows = await pool.fetch(
            f"SELECT {selected} FROM outreach.events WHERE position > $1 ORDER BY position", after
        )
        records = [tuple(row.values()) for row in rows]
        await pool.execute(table_sql(IMPORT_FLOOR_SCHEMA))
        try:
            rate = await copy_floor(pool, records, IMPORT_FLOOR_SCHEMA)
        finally:
            await pool.execute(f"DROP SCHEMA {IMPORT_FLOOR_SCHEMA} CASCADE")
    finally:
        await pool.close()
    return Timed(len(records), len(records) / rate)


async def start_gateway(rig: Rig, log_dir: Path) -> ServiceProcess:
    gateway = ServiceProcess("gateway", rig.services["outreach"].nats_url, rig.database_url, log_dir)
    await start([gateway])
    return gateway

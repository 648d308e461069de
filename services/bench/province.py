"""`sanji bench --province`: how the county and city views cost as a province's units and events grow.

A province-sized tree (16 cities, 12 counties each, 155 townships a county: 29,968 units) is written
into the projection through its own views (the runner's ``apply_in``, the code that applies the
stream, without the stream: the views' tables are what the queries read), then activities in steps
up to the largest size. After each step the projection and the gateway run as processes and the two
views a person waits for are timed through the HTTP API, as a browser asks them:

- a county's view: the unit with its townships (``/api/v1/units/<county>``) and its outreach summary for
  the year (``/api/v1/outreach/units/<county>/summary``);
- a city's summary: the same for the city, over its 12 counties and 1,860 townships.

Events are ActivityLogged only (the bulk of what a bureau records), spread over townships, kinds and the
24 months of two years. Figures are p50/p95 of sequential requests after one warm-up round.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from contracts.duty import UnitKind, UnitRegistered
from contracts.envelope import EventEnvelope, dataschema_for
from contracts.outreach import ActivityKind, ActivityLogged
from contracts.registry import DomainEvent
from services.bench.procs import ServiceProcess
from services.eventkit.db import create_pool
from services.eventkit.embedded import NatsServer, PostgresServer
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.projector import Delivered, ProjectorRunner
from services.gateway.tokens import TokenStore
from services.projection.app import projectors

CITIES, COUNTIES_PER_CITY, TOWNSHIPS_PER_COUNTY = 16, 12, 155
STEPS = (100_000, 1_000_000, 10_000_000)
QUICK_STEPS = (2_000, 10_000)
BATCH = 5_000
SAMPLES = 40
KINDS = list(ActivityKind)
YEARS = (2025, 2026)
TARGET_COUNTY_P95_MS, TARGET_CITY_P95_MS = 50.0, 200.0


@dataclass(frozen=True)
class Tree:
    cities: list[str]
    counties: list[str]
    townships: list[str]

    @property
    def size(self) -> int:
        return len(self.cities) + len(self.counties) + len(self.townships)


def province_tree(
    cities: int = CITIES, counties: int = COUNTIES_PER_CITY, townships: int = TOWNSHIPS_PER_COUNTY
) -> Tree:
    """Division-code paths: city 32xx, county 32xxyy, township 32xxyyzzz."""
    tree = Tree([], [], [])
    for c in range(1, cities + 1):
        city = f"32{c:02d}"
        tree.cities.append(city)
        for k in range(1, counties + 1):
            county = f"{city}{k:02d}"
            tree.counties.append(f"{city}.{county}")
            tree.townships.extend(f"{city}.{county}.{county}{t:03d}" for t in range(1, townships + 1))
    return tree


class Feed:
    """Events as the views receive them: envelopes with their stream sequence, decoded once."""

    def __init__(self) -> None:
        self.seq = 0
        self.now = datetime.now(UTC)

    def deliver(self, event: DomainEvent, unit: str, stream: str) -> Delivered:
        self.seq += 1
        envelope = EventEnvelope.model_construct(  # built by us from valid parts: no validation cost
            id=str(uuid.uuid4()),
            source="urn:sanji:bench",
            type=event.event_type,
            time=self.now,
            subject=stream,
            dataschema=dataschema_for(event.event_type, event.version),
            unitpath=unit,
            actor="bench",
            correlationid="province",
            streamversion=1,
            typeversion=event.version,
            data={},
        )
        delivered = Delivered(self.seq, envelope)
        delivered.__dict__["event"] = event  # the cached decode: the views read the typed event
        return delivered

    def units(self, tree: Tree) -> Iterator[Delivered]:
        kinds = (
            (tree.cities, UnitKind.BUREAU),
            (tree.counties, UnitKind.COUNTY_OFFICE),
            (tree.townships, UnitKind.TOWNSHIP_OFFICE),
        )
        for paths, kind in kinds:
            for path in paths:
                parent = path.rsplit(".", 1)[0] if "." in path else None
                event = UnitRegistered(
                    path=path, name=f"单位{path.rsplit('.', 1)[-1]}", kind=kind, parent=parent
                )
                yield self.deliver(event, path, f"unit-{path}")

    def activities(self, townships: list[str], count: int, rng: random.Random) -> Iterator[Delivered]:
        for _ in range(count):
            unit = townships[rng.randrange(len(townships))]
            held_on = date(rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28))
            activity_id = f"p-{self.seq:010d}"
            event = ActivityLogged(
                activity_id=activity_id,
                unit=unit,
                kind=KINDS[rng.randrange(len(KINDS))],
                topic="民法典宣讲",
                held_on=held_on,
                audience=rng.randint(5, 200),
            )
            yield self.deliver(event, unit, f"activity-{activity_id}")


async def apply_all(runner: ProjectorRunner, pool: asyncpg.Pool, events: Iterator[Delivered]) -> float:
    """Apply ``events`` in batches through every view; events a second."""
    started, applied = time.perf_counter(), 0
    batch: list[Delivered] = []

    async def flush() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await runner.apply_in(conn, batch, batch[-1].seq)

    for delivered in events:
        batch.append(delivered)
        if len(batch) == BATCH:
            await flush()
            applied += len(batch)
            batch = []
    if batch:
        await flush()
        applied += len(batch)
    return applied / max(time.perf_counter() - started, 1e-9)


async def timed(http: httpx.AsyncClient, paths: list[str]) -> tuple[float, float]:
    """p50 and p95 in milliseconds of the requests (each a view: its calls one after another)."""
    spent = []
    for path in paths:
        started = time.perf_counter()
        for call in (f"/api/v1/units/{path}", f"/api/v1/outreach/units/{path}/summary?period={YEARS[-1]}"):
            answer = await http.get(call)
            answer.raise_for_status()
        spent.append((time.perf_counter() - started) * 1000)
    cut = statistics.quantiles(spent, n=20)
    return statistics.median(spent), cut[18]


async def measure_views(
    nats_url: str, database_url: str, tree: Tree, log_dir: Path, rng: random.Random
) -> dict[str, float]:
    services = [ServiceProcess(name, nats_url, database_url, log_dir) for name in ("projection", "gateway")]
    city = tree.cities[0]
    store = await TokenStore.open(database_url)
    try:
        _, secret = await store.create(unit=city, roles=["leader"], name=f"province-{uuid.uuid4().hex[:8]}")
    finally:
        await store.close()
    try:
        for service in services:
            service.start()
            await service.wait_ready()
        gateway = services[1]
        counties = [c for c in tree.counties if c.startswith(f"{city}.")]
        headers = {"Authorization": f"Bearer {secret}"}
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{gateway.http_port}", headers=headers, timeout=60
        ) as http:
            await timed(http, [*counties[:2], city])  # warm-up: connections, plans, caches
            county_p50, county_p95 = await timed(http, [rng.choice(counties) for _ in range(SAMPLES)])
            city_p50, city_p95 = await timed(http, [city] * (SAMPLES // 2))
    finally:
        for service in services:
            await service.stop()
    return {
        "county_p50_ms": county_p50,
        "county_p95_ms": county_p95,
        "city_p50_ms": city_p50,
        "city_p95_ms": city_p95,
    }


async def measure_province(root: Path, steps: tuple[int, ...], tree: Tree) -> list[dict[str, Any]]:
    nats_server, postgres = NatsServer(root / "nats"), PostgresServer(root / "pg", fast=False)
    rng = random.Random(32)  # noqa: S311 - a reproducible workload, not secrets
    rows: list[dict[str, Any]] = []
    try:
        nats_server.start()
        postgres.start()
        pool = await create_pool(postgres.url, max_size=4)
        try:
            async with pool.acquire() as conn:
                await migrate(conn, "projection", service_migrations("services.projection"))
            runner = ProjectorRunner(None, pool, "projection", projectors())  # type: ignore[arg-type]  # apply_in only
            feed = Feed()
            units_rate = await apply_all(runner, pool, feed.units(tree))
            print(f"  {tree.size:,} units applied ({units_rate:,.0f}/s)", flush=True)
            stored = 0
            for step in steps:
                rate = await apply_all(runner, pool, feed.activities(tree.townships, step - stored, rng))
                stored = step
                print(f"  {stored:,} activities applied ({rate:,.0f} events/s); timing the views", flush=True)
                size = await pool.fetchval("SELECT pg_database_size(current_database())")
                views = await measure_views(nats_server.url, postgres.url, tree, root, rng)
                rows.append(
                    {
                        "events": stored,
                        "units": tree.size,
                        "apply_events_per_s": rate,
                        "database_bytes": size,
                        **views,
                    }
                )
        finally:
            await pool.close()
    finally:
        postgres.stop()
        nats_server.stop()
    return rows


def render_province(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| events | units | applied events/s | database | county view p50 / p95 (target p95 < 50 ms)"
        " | city summary p50 / p95 (target p95 < 200 ms) |",
        "|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        county_ok = "met" if row["county_p95_ms"] < TARGET_COUNTY_P95_MS else "NOT met"
        city_ok = "met" if row["city_p95_ms"] < TARGET_CITY_P95_MS else "NOT met"
        lines.append(
            f"| {row['events']:,} | {row['units']:,} | {row['apply_events_per_s']:,.0f} | {row['database_bytes'] / 2**30:.1f} GiB"
            f" | {row['county_p50_ms']:.1f} / {row['county_p95_ms']:.1f} ms ({county_ok})"
            f" | {row['city_p50_ms']:.1f} / {row['city_p95_ms']:.1f} ms ({city_ok}) |"
        )
    return "\n".join(lines)


def run_province(root: Path, *, quick: bool = False, largest: int = STEPS[-1]) -> list[dict[str, Any]]:
    """The table at three sizes: ``largest`` events and a tenth and a hundredth of it."""
    tree = province_tree(2, 3, 5) if quick else province_tree()
    steps = QUICK_STEPS if quick else (largest // 100, largest // 10, largest)
    rows = asyncio.run(measure_province(root, steps, tree))
    print(render_province(rows))
    return rows

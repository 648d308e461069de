"""The peer a Python team would pick instead: pyeventsourcing on the same PostgreSQL, saving one new
single-event aggregate a save, sequentially and from 16 threads (its recorder is synchronous, psycopg 3).

A bench-only dependency (the ``bench`` extra of pyproject.toml, installed by ``make bench``)."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

SCHEMA = "peer_eventsourcing"
THREADS = 16


class Activity(Aggregate):
    """One logged activity: the same facts a log_activity command carries."""

    @event("Logged")
    def __init__(self, unit: str, topic: str, audience: int) -> None:
        self.unit, self.topic, self.audience = unit, topic, audience


def application(database_url: str, pool_size: int) -> Application[UUID]:
    url = urlsplit(database_url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_SCHEMA": SCHEMA,
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": "0",
        "CREATE_TABLE": "y",
    }
    return Application[UUID](env=env)


def saves_for(app: Application[UUID], seconds: float) -> int:
    """Save new single-event aggregates one after another for ``seconds``; how many were saved."""
    saved, until = 0, time.perf_counter() + seconds
    while time.perf_counter() < until:
        app.save(Activity(unit="3205.320506.320506001", topic="最低生活保障政策宣讲", audience=100))
        saved += 1
    return saved


def measure(database_url: str, seconds: float) -> dict[str, float]:
    """Saves a second, sequentially and from ``THREADS`` threads sharing one application."""
    app = application(database_url, THREADS)
    try:
        saves_for(app, min(1.0, seconds / 5))  # warm: tables, pool, prepared statements
        started = time.perf_counter()
        sequential = saves_for(app, seconds) / (time.perf_counter() - started)
        with ThreadPoolExecutor(THREADS) as threads:
            started = time.perf_counter()
            counts = list(threads.map(lambda _: saves_for(app, seconds), range(THREADS)))
            threaded = sum(counts) / (time.perf_counter() - started)
    finally:
        app.close()
    return {"peer_saves_per_s_sequential": sequential, "peer_saves_per_s_16threads": threaded}


async def measure_peer(database_url: str, seconds: float) -> dict[str, float]:
    """The peer's figures, its schema made first (pyeventsourcing creates tables, not schemas)."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    finally:
        await conn.close()
    return await asyncio.to_thread(measure, database_url, seconds)

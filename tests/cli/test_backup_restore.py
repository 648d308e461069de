"""`sanji backup` and `sanji restore`: a site with the demo data, backed up (once while commands keep
arriving), restored into fresh sites, answers every view and holds every event as the original did."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest

from contracts.subjects import EVENTS_STREAM
from services import registry
from services.cli.demo import Seeder, demo_activities, demo_units, seed_demo
from services.eventkit.db import create_pool
from services.eventkit.embedded import NatsServer, PostgresServer
from services.eventkit.streamsnap import own_message_ids
from services.projection.rebuild import rebuild_projection
from tests.conftest import fresh_database
from tests.gateway.support import CITY_TOKEN, bearer, running_gateway
from tests.helpers import wait_until
from tests.up_process import sanji

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
DEMO_ACTIVITIES = 40
SERVICES = tuple(name for name in registry.names() if name != "gateway")
STORES = tuple(info.schema for info in registry.with_event_store() if info.schema)
PROJECTION_QUERIES = tuple(name for name in registry.query_names() if name.startswith("projection."))
VOLATILE = {"age_seconds", "updated_at"}  # when an answer was computed, not what it says


@dataclass
class Site:
    nats: NatsServer
    database_url: str

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, NATS_URL=self.nats.url, DATABASE_URL=self.database_url)
        return subprocess.run(sanji(*args), capture_output=True, text=True, env=env, timeout=300, check=False)


@asynccontextmanager
async def site(pg_server: PostgresServer, folder: Path) -> AsyncIterator[Site]:
    """A site of its own nats-server and its own database on the session's PostgreSQL."""
    server = NatsServer(folder)
    server.start()
    try:
        async with fresh_database(pg_server) as url:
            yield Site(server, url)
    finally:
        server.stop()


@asynccontextmanager
async def fresh_site(folder: Path) -> AsyncIterator[Site]:
    """A site with a PostgreSQL cluster of its own too: its transaction ids start low again."""
    postgres, server = PostgresServer(folder / "pg", fast=True), NatsServer(folder / "nats")
    postgres.start()
    try:
        server.start()
        try:
            yield Site(server, postgres.url)
        finally:
            server.stop()
    finally:
        postgres.stop()


def without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


async def every_view(nats_url: str) -> dict[str, Any]:
    """Every projection query's answer for the city, as asked over NATS."""
    nc = await nats.connect(nats_url)
    try:
        answers = {}
        for name in PROJECTION_QUERIES:
            subject = f"sanji.qry.{name}"
            for params in ('{"path": "3205"}', '{"path": "3205.320506", "period": "2026"}'):
                reply = await nc.request(subject, params.encode(), timeout=10)
                answers[f"{name} {params}"] = without_volatile(json.loads(reply.data))
        return answers
    finally:
        await nc.close()


async def every_event(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(database_url)
    try:
        return {
            schema: [
                tuple(row)
                for row in await conn.fetch(
                    f"SELECT event_id, stream_id, stream_version, envelope, hash FROM {schema}.events"
                    " ORDER BY position"
                )
            ]
            for schema in STORES
        }
    finally:
        await conn.close()


async def stream_ids(nats_url: str) -> dict[str, int]:
    nc = await nats.connect(nats_url)
    try:
        return await own_message_ids(nc, EVENTS_STREAM)
    finally:
        await nc.close()


async def stored_ids(database_url: str) -> list[str]:
    events = await every_event(database_url)
    return [str(row[0]) for rows in events.values() for row in rows]


async def all_relayed(target: Site) -> bool:
    stored, published = await stored_ids(target.database_url), await stream_ids(target.nats.url)
    return sorted(stored) == sorted(published)


async def city_activities(http: httpx.AsyncClient) -> int:
    answer = (await http.get("/api/v1/units/3205")).json()
    return int(answer["subtree"]["activities"])


async def logged_activities(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM outreach.events WHERE event_type = 'outreach.activity_logged'"
        )
        return int(count)
    finally:
        await conn.close()


@asynccontextmanager
async def serving(target: Site, folder: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(target.nats.url, target.database_url, folder, SERVICES) as gateway:
        url = f"http://127.0.0.1:{gateway.http_port}"
        async with httpx.AsyncClient(base_url=url, headers=bearer(CITY_TOKEN), timeout=30) as http:
            yield http


async def caught_up(target: Site, http: httpx.AsyncClient) -> None:
    await wait_until(lambda: all_relayed(target), timeout=60, message="stored events never all published")

    async def projected() -> bool:
        return await city_activities(http) == await logged_activities(target.database_url)

    await wait_until(projected, timeout=60, message="the projection never caught up")


async def test_backup_under_load_and_restore_into_fresh_sites(
    pg_server: PostgresServer, server_dir: Path
) -> None:
    units = demo_units()
    extra = demo_activities(units, DEMO_ACTIVITIES + 400, date(2026, 11, 30))[DEMO_ACTIVITIES:]
    under_load, quiet = server_dir / "under-load", server_dir / "quiet"
    async with site(pg_server, server_dir / "a") as original, serving(original, server_dir) as http:
        gateway = str(http.base_url)
        await seed_demo(gateway, CITY_TOKEN, DEMO_ACTIVITIES, echo=lambda _line: None)
        seeder, stop = Seeder(http, concurrency=4), asyncio.Event()

        async def keep_logging() -> None:
            for activity in extra:
                if stop.is_set():
                    return
                await seeder.send("outreach.log_activity", activity, f"load-{activity['activity_id']}")

        load = asyncio.create_task(keep_logging())
        await wait_until(lambda: seeder.outcomes, message="the load never started")
        backup = await asyncio.to_thread(original.cli, "backup", str(under_load))
        stop.set()
        await load
        assert backup.returncode == 0, backup.stdout + backup.stderr
        assert sum(seeder.outcomes.values()) > 0
        await caught_up(original, http)
        quiet_backup = await asyncio.to_thread(original.cli, "backup", str(quiet))
        assert quiet_backup.returncode == 0, quiet_backup.stdout + quiet_backup.stderr
        views, events = await every_view(original.nats.url), await every_event(original.database_url)
        published = await stream_ids(original.nats.url)

    # Restored into a fresh site (a new cluster: new transaction ids are lower than the restored ones),
    # the quiet backup answers every view and holds every event as the original did.
    async with fresh_site(server_dir / "b") as restored:
        done = await asyncio.to_thread(restored.cli, "restore", str(quiet))
        assert done.returncode == 0, done.stdout + done.stderr
        again = await asyncio.to_thread(restored.cli, "restore", str(quiet))
        assert again.returncode == 1
        assert "already holds" in again.stderr
        assert await every_event(restored.database_url) == events
        assert await stream_ids(restored.nats.url) == published
        async with serving(restored, server_dir) as http:
            await caught_up(restored, http)
            assert await every_view(restored.nats.url) == views
            # The restored stream rebuilds the same views.
            pool = await create_pool(restored.database_url, max_size=2)
            nc = await nats.connect(restored.nats.url)
            try:
                await rebuild_projection(nc.jetstream(), pool)
            finally:
                await nc.close()
                await pool.close()
            assert await every_view(restored.nats.url) == views
            # It keeps working: a new activity lands and is counted once.
            before = await city_activities(http)
            new = demo_activities(units, DEMO_ACTIVITIES + 401, date(2026, 11, 30))[-1]
            await Seeder(http).send("outreach.log_activity", new, "after-restore")
            await caught_up(restored, http)
            assert await city_activities(http) == before + 1
            assert await logged_activities(restored.database_url) == before + 1

    # The backup taken under load is consistent: stores and stream agree, every event once.
    async with site(pg_server, server_dir / "c") as loaded:
        done = await asyncio.to_thread(loaded.cli, "restore", str(under_load))
        assert done.returncode == 0, done.stdout + done.stderr
        print(done.stdout)  # how many events were past the dump point or still in the outbox
        async with serving(loaded, server_dir) as http:
            await caught_up(loaded, http)
            stored = await stored_ids(loaded.database_url)
            assert len(stored) == len(set(stored)) > len(events["outreach"]) // 2

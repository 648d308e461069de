"""The embedded servers are real processes: JetStream and PostgreSQL data survive restarts and crashes."""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg
import nats
import pytest

from services.eventkit.embedded import (
    EmbeddedStack,
    NatsServer,
    PostgresServer,
    free_port,
    port_is_free,
)

STREAM = "EMBEDDED_TEST"


async def _publish(url: str, count: int, *, create: bool = False) -> list[int]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        if create:
            await js.add_stream(name=STREAM, subjects=["embedded.>"])
        acks = [await js.publish(f"embedded.{i}", f"m{i}".encode()) for i in range(count)]
        assert all(ack.stream == STREAM for ack in acks)
        return [ack.seq for ack in acks]
    finally:
        await nc.close()


async def _stream_messages(url: str) -> int:
    nc = await nats.connect(url)
    try:
        info = await nc.jetstream().stream_info(STREAM)
        return int(info.state.messages)
    finally:
        await nc.close()


def test_free_port_is_free() -> None:
    assert port_is_free(free_port())


async def test_nats_jetstream_publish_and_read_back(nats_url: str) -> None:
    assert await _publish(nats_url, 3, create=True) == [1, 2, 3]
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        stored = await js.get_msg(STREAM, 2)
        assert stored.data == b"m1"
        sub = await js.pull_subscribe("embedded.>", durable="reader")
        msgs = await sub.fetch(3, timeout=5)
        assert [m.data for m in msgs] == [b"m0", b"m1", b"m2"]
        for m in msgs:
            await m.ack()
    finally:
        await nc.close()


async def test_nats_restart_keeps_stream_and_url(nats_server: NatsServer) -> None:
    url, pid = nats_server.url, nats_server.pid
    await _publish(url, 5, create=True)
    nats_server.restart()
    assert nats_server.url == url
    assert nats_server.pid not in (None, pid)
    assert await _stream_messages(url) == 5
    assert await _publish(url, 1) == [6]


async def test_nats_kill_then_start(nats_server: NatsServer) -> None:
    await _publish(nats_server.url, 2, create=True)
    nats_server.kill()
    assert nats_server.pid is None
    nats_server.start()
    assert await _stream_messages(nats_server.url) == 2


async def test_nats_new_instance_reuses_remembered_port(tmp_path: Path) -> None:
    with NatsServer(tmp_path / "n") as first:
        url = first.url
        await _publish(url, 1, create=True)
    with NatsServer(tmp_path / "n") as second:
        assert second.url == url
        assert await _stream_messages(url) == 1


async def test_postgres_utf8_round_trip(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
        await conn.execute("CREATE TABLE office (name text PRIMARY KEY)")
        await conn.execute("INSERT INTO office VALUES ($1)", "市民政局")
        assert await conn.fetchval("SELECT name FROM office WHERE name LIKE '市%'") == "市民政局"
        assert await conn.fetchval("SELECT length(name) FROM office") == 4
    finally:
        await conn.close()


async def test_postgres_creates_its_database(pg_server: PostgresServer) -> None:
    conn = await asyncpg.connect(pg_server.url)
    try:
        assert await conn.fetchval("SELECT current_database()") == pg_server.database
    finally:
        await conn.close()


async def _insert(url: str, value: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS t (v text)")
        await conn.execute("INSERT INTO t VALUES ($1)", value)
    finally:
        await conn.close()


async def _values(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return [r["v"] for r in await conn.fetch("SELECT v FROM t ORDER BY v")]
    finally:
        await conn.close()


@pytest.fixture
def own_pg(server_dir: Path):
    """A private PostgreSQL (durable settings) for tests that restart or crash it."""
    server = PostgresServer(server_dir / "pg")
    server.start()
    yield server
    server.stop()


async def test_postgres_restart_keeps_data(own_pg: PostgresServer) -> None:
    url = own_pg.url
    await _insert(url, "县民政局")
    own_pg.restart()
    assert own_pg.url == url
    assert await _values(url) == ["县民政局"]


async def test_postgres_kill_with_stale_postmaster_pid_restarts(own_pg: PostgresServer) -> None:
    await _insert(own_pg.url, "乡镇")
    own_pg.kill()
    pid_file = own_pg.data_dir / "postmaster.pid"
    assert pid_file.exists(), "SIGKILL leaves postmaster.pid behind"
    # Simulate PID reuse: the recorded PID now belongs to a live, unrelated process (this one).
    lines = pid_file.read_text().splitlines()
    pid_file.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")
    own_pg.start()
    assert await _values(own_pg.url) == ["乡镇"]


def test_postgres_second_start_on_running_data_dir_is_refused(own_pg: PostgresServer) -> None:
    with pytest.raises(RuntimeError, match="already running"):
        PostgresServer(own_pg.data_dir).start()


async def test_embedded_stack(server_dir: Path) -> None:
    with EmbeddedStack(server_dir / "data", fast=True) as stack:
        assert (server_dir / "data" / "nats" / "nats.conf").exists()
        assert (server_dir / "data" / "pg" / "PG_VERSION").exists()
        assert await _publish(stack.nats_url, 1, create=True) == [1]
        await _insert(stack.database_url, "x")
    assert stack.nats.pid is None
    assert stack.postgres.pid is None

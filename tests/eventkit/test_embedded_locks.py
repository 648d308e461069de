"""PostgreSQL restarted after its postmaster was SIGKILLed: the lock files the dead postmaster left are
cleared when stale, and kept while a live postmaster of the data dir owns them."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.eventkit.embedded import PG_SYSTEM_USER, EmbeddedServerError, PostgresServer
from tests.helpers import wait_until


@pytest.fixture
def short_pg() -> Iterator[PostgresServer]:
    """A private PostgreSQL in a short folder, so that it has a Unix socket (and its lock file)."""
    folder = Path(tempfile.mkdtemp(prefix="sanji-pg-"))
    server = PostgresServer(folder / "pg")  # durable: what a commit acknowledged survives the kill
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def bystander() -> Iterator[int]:
    """The PID of a live process that has nothing to do with PostgreSQL (as a reused PID would).

    It runs as PostgreSQL's user: postgres ignores a lock naming a PID it may not signal (EPERM).
    """
    owner: dict[str, Any] = {}
    if os.geteuid() == 0:
        account = pwd.getpwnam(PG_SYSTEM_USER)
        owner = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    proc = subprocess.Popen(["sleep", "600"], cwd="/", **owner)
    yield proc.pid
    proc.kill()
    proc.wait()


def socket_lock(server: PostgresServer) -> Path:
    return server.data_dir / f".s.PGSQL.{server.port}.lock"


def name_pid(lock: Path, pid: int) -> None:
    lines = lock.read_text().splitlines()
    lock.write_text("\n".join([str(pid), *lines[1:]]) + "\n")


async def test_a_killed_postmaster_restarts_though_its_locks_name_a_live_process(
    short_pg: PostgresServer, bystander: int
) -> None:
    conn = await asyncpg.connect(short_pg.url)  # a backend the kill leaves orphaned
    await conn.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('乡镇')")
    postmaster = short_pg.pid
    assert postmaster is not None
    os.kill(postmaster, signal.SIGKILL)  # the postmaster alone, as an outside fault would
    await wait_until(lambda: not short_pg.running, timeout=10)
    for lock in (socket_lock(short_pg), short_pg.data_dir / "postmaster.pid"):
        assert lock.exists(), f"SIGKILL leaves {lock.name} behind"
        name_pid(lock, bystander)  # postgres refuses to start while the PID a lock names exists

    short_pg.start()

    restarted = await asyncpg.connect(short_pg.url)
    try:
        assert await restarted.fetchval("SELECT v FROM kept") == "乡镇"
    finally:
        await restarted.close()
    conn.terminate()
    assert int(socket_lock(short_pg).read_text().splitlines()[0]) == short_pg.pid


async def test_locks_of_a_live_postmaster_are_kept(short_pg: PostgresServer) -> None:
    locks = {path: path.read_text() for path in (socket_lock(short_pg), short_pg.data_dir / "postmaster.pid")}
    with pytest.raises(EmbeddedServerError, match="already running"):
        PostgresServer(short_pg.data_dir, short_pg.port).start()
    assert {path: path.read_text() for path in locks} == locks
    conn = await asyncpg.connect(short_pg.url)
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()

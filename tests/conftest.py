"""Shared fixtures: real embedded PostgreSQL and NATS servers (no mocks)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from services.eventkit.embedded import NatsServer, PostgresServer


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL for the whole session; durability off (fast=True) since it is throwaway.

    Its data lives in a folder of this run's own, not under pytest's tmp folders: another pytest run
    on the machine prunes those and would delete the cluster under a running session (design trap 8)."""
    folder = Path(tempfile.mkdtemp(prefix="sanji-test-pg-"))
    server = PostgresServer(folder / "data", fast=True)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def server_dir() -> Iterator[Path]:
    """A folder of the test's own for a server's data, outside pytest's tmp folders: PostgreSQL runs as
    another user and needs the folders above traversable, which another pytest run starting on the
    machine undoes by making pytest's folder private again (design trap 8)."""
    folder = Path(tempfile.mkdtemp(prefix="sanji-test-server-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@asynccontextmanager
async def fresh_database(pg_server: PostgresServer) -> AsyncIterator[str]:
    """A new, empty database on the session server, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(pg_server.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield pg_server.url.rsplit("/", 1)[0] + f"/{name}"
    with contextlib.suppress(Exception):  # leftover databases in a tmp cluster are harmless
        admin = await asyncpg.connect(pg_server.admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def database_url(pg_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh, empty database per test on the session server."""
    async with fresh_database(pg_server) as url:
        yield url


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh NATS + JetStream per test; tests may kill() and restart() it."""
    server = NatsServer(tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def nats_url(nats_server: NatsServer) -> str:
    return nats_server.url


# --- no check skips in CI ---------------------------------------------------------------------------
# A check that skips because a tool is missing has never run; `make test` installs what the tests need
# (see the Makefile's test-tools), so in CI (CI=true) a skip fails the run instead of passing unseen.
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(f"{report.nodeid}: {report.longrepr}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1") and _skipped and exitstatus == 0:
        print("\nskipped under CI=true (install what they need instead):\n  " + "\n  ".join(_skipped))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

"""Fixtures for the deploy suite: the shipped NATS configs running as real hub and county servers."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from services.eventkit.embedded import PostgresServer
from tests.deploy.sites import Site, make_sites


@pytest.fixture
def hub_only(tmp_path: Path) -> Iterator[Site]:
    """The city hub alone (no county connected)."""
    hub, _ = make_sites(tmp_path)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    """The city hub and county 320506 as its leaf node, each from its shipped config."""
    hub, county = make_sites(tmp_path)
    hub.start()
    try:
        county.start()
        yield hub, county
    finally:
        county.stop()
        hub.stop()


@pytest.fixture
async def second_database_url(pg_server: PostgresServer) -> AsyncIterator[str]:
    """Another fresh database on the session's PostgreSQL: a second site's own database."""
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

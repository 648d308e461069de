"""Fixtures for the deploy suite: the shipped NATS configs running as real hub and county servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from services.eventkit.embedded import PostgresServer
from tests.conftest import fresh_database
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
    async with fresh_database(pg_server) as url:
        yield url

"""A real stack for the gateway: duty, outreach and projection in-process, the gateway on a free port,
and an HTTP client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.app import GatewayRuntime
from tests.gateway.support import running_gateway


@pytest.fixture
async def gateway(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[GatewayRuntime]:
    async with running_gateway(nats_url, database_url, tmp_path) as runtime:
        yield runtime


@pytest.fixture
async def http(gateway: GatewayRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=20) as client:
        yield client

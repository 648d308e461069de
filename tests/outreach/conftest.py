"""The gateway over a real stack, with evidence files kept in the test's own folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.app import GatewayRuntime
from tests.gateway.support import running_gateway


@pytest.fixture
async def gateway(
    nats_url: str, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[GatewayRuntime]:
    monkeypatch.setenv("SANJI_FILES_DIR", str(tmp_path / "files"))
    async with running_gateway(nats_url, database_url, tmp_path) as runtime:
        yield runtime


@pytest.fixture
async def http(gateway: GatewayRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=30) as client:
        yield client

"""The gateway over a real stack, with evidence files kept in the test's own folder."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.app import GatewayRuntime, create_app
from services.gateway.settings import GatewaySettings
from tests.gateway.support import TOKENS
from tests.stack import running


@pytest.fixture
async def gateway(
    nats_url: str, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[GatewayRuntime]:
    monkeypatch.setenv("SANJI_FILES_DIR", str(tmp_path / "files"))
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(TOKENS), encoding="utf-8")
    async with running(nats_url, database_url, "duty", "outreach", "projection"):
        runtime = create_app(
            GatewaySettings(
                nats_url=nats_url, database_url=database_url, http_port=0, tokens_file=tokens_file
            )
        )
        await runtime.start()
        try:
            yield runtime
        finally:
            await runtime.stop()


@pytest.fixture
async def http(gateway: GatewayRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=30) as client:
        yield client

"""A real stack for the gateway: duty, outreach and projection in-process, the gateway on a free port,
and an HTTP client pointed at it; with opinion too, a client logged in as a clerk for the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.app import GatewayRuntime
from tests.gateway.support import CITY_TOKEN, DEMO_TOKEN, bearer, register_units, running_gateway
from tests.helpers import wait_until
from tests.opinion.builders import PLAN_LIMITS


@pytest.fixture
async def gateway(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[GatewayRuntime]:
    async with running_gateway(nats_url, database_url, tmp_path) as runtime:
        yield runtime


@pytest.fixture
async def http(gateway: GatewayRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=20) as client:
        yield client


@pytest.fixture
async def opinion_gateway(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[GatewayRuntime]:
    services = ("duty", "outreach", "opinion", "projection")
    async with running_gateway(nats_url, database_url, tmp_path, services) as runtime:
        yield runtime


@pytest.fixture
async def clerk(opinion_gateway: GatewayRuntime) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client logged in as the city's admin clerk, the units registered and a plan adopted."""
    base = f"http://127.0.0.1:{opinion_gateway.http_port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        await register_units(http)
        plan = {"unit": "3205", "limits": PLAN_LIMITS}
        adopted = await http.post(
            "/api/v1/commands/opinion/adopt_response_plan", json=plan, headers=bearer(DEMO_TOKEN)
        )
        assert adopted.status_code == 200, adopted.text

        async def opinion_knows_units() -> bool:
            probe = await http.post(
                "/api/v1/commands/opinion/file_nil_report",
                json={"unit": "3205.320507", "day": "2000-01-01"},
                headers=bearer(CITY_TOKEN),
            )
            return probe.json().get("error", {}).get("code") not in ("not_found", None)

        await wait_until(opinion_knows_units, message="opinion never learned the units")
        logged_in = await http.post("/login", data={"token": CITY_TOKEN, "next": "/"})
        assert logged_in.status_code == 303
        yield http

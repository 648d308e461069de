"""Tokens, units and small HTTP helpers shared by the gateway tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from contracts.envelope import utc_now
from services.eventkit.localtime import local_date
from services.gateway.app import GatewayRuntime, create_app
from services.gateway.settings import GatewaySettings
from tests.helpers import wait_until
from tests.stack import running

CITY_TOKEN = "city-admin-token"
COUNTY_TOKEN = "county-clerk-token"
TOWN_TOKEN = "township-clerk-token"
DEMO_TOKEN = "city-demo-token"  # every role `sanji demo` needs: it also ingests as the monitoring system
COUNTY_LEADER_TOKEN = "county-leader-token"
CITY_CLERK_TOKEN = (
    "city-clerk-token"  # a clerk and nothing more, for pages that must not offer a leader's forms
)
TOKENS = {
    CITY_TOKEN: {"id": "admin@3205", "scope": "3205", "roles": ["admin", "clerk"]},
    COUNTY_TOKEN: {"id": "clerk@320506", "scope": "3205.320506", "roles": ["clerk"]},
    TOWN_TOKEN: {"id": "clerk@320506001", "scope": "3205.320506.320506001", "roles": ["clerk"]},
    DEMO_TOKEN: {
        "id": "demo@3205",
        "scope": "3205",
        "roles": ["admin", "clerk", "leader", "assessor", "system"],
    },
    COUNTY_LEADER_TOKEN: {"id": "leader@320506", "scope": "3205.320506", "roles": ["leader"]},
    CITY_CLERK_TOKEN: {"id": "clerk@3205", "scope": "3205", "roles": ["clerk"]},
}
UNITS = [
    ("3205", "苏州市民政局", "bureau"),
    ("3205.320506", "吴中区民政局", "county_office"),
    ("3205.320506.320506001", "长桥街道", "township_office"),
    ("3205.320507", "相城区民政局", "county_office"),
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def register_units(http: httpx.AsyncClient, *, until_projected: bool = True) -> None:
    """Register UNITS through duty, then (unless the stack has no projection) wait until the read API
    shows every one: duty's relay may publish the last registration after outreach's relay published
    an activity logged meanwhile, and a test that waits only for that activity would miss a unit."""
    for path, name, kind in UNITS:
        response = await http.post(
            "/api/v1/commands/duty/register_unit",
            json={"path": path, "name": name, "kind": kind},
            headers=bearer(CITY_TOKEN),
        )
        assert response.status_code == 200, response.text
    if until_projected:
        await wait_until(partial(units_projected, http), message="the projection never showed every unit")
        await wait_until(
            partial(outreach_knows, http, UNITS[-1][0]), message="outreach never learned the units"
        )


async def outreach_knows(http: httpx.AsyncClient, path: str) -> bool:
    """Outreach learns units from duty's events, in order: once it knows the last one, it knows all. The
    probe is dated tomorrow in Asia/Shanghai (inside the contract's one-day tolerance), so a known unit
    refuses it on the date and nothing is logged."""
    tomorrow = (local_date(utc_now()) + timedelta(days=1)).isoformat()
    probe = activity("probe-unit-known", path, 1) | {"held_on": tomorrow}
    response = await http.post(
        "/api/v1/commands/outreach/log_activity", json=probe, headers=bearer(CITY_TOKEN)
    )
    assert response.status_code != 200, "a probe dated tomorrow was logged"
    error = response.json()["error"]
    if error["code"] == "not_found":
        return False
    # Known only when refused on its date: an "unavailable" or other refusal says nothing yet.
    return [f["field"] for f in error["fields"]] == ["held_on"]


async def units_projected(http: httpx.AsyncClient) -> bool:
    for path, _, _ in UNITS:
        if (await http.get(f"/api/v1/units/{path}", headers=bearer(CITY_TOKEN))).status_code != 200:
            return False
    return True


def activity(activity_id: str, unit: str, audience: int, kind: str = "outreach_talk") -> dict[str, Any]:
    return {
        "activity_id": activity_id,
        "unit": unit,
        "kind": kind,
        "topic": "民政政策宣讲",
        "held_on": "2026-03-02",
        "audience": audience,
    }


async def log_activity(
    http: httpx.AsyncClient, body: dict[str, Any], token: str = CITY_TOKEN
) -> httpx.Response:
    return await http.post(
        "/api/v1/commands/outreach/log_activity",
        json=body,
        headers={**bearer(token), "Idempotency-Key": f"cmd-{body['activity_id']}"},
    )


async def first_activity(http: httpx.AsyncClient, body: dict[str, Any]) -> None:
    """Log the first activity, retrying while outreach has not yet learned the units from duty's events."""

    async def logged() -> bool:
        return (await log_activity(http, body)).status_code == 200

    await wait_until(logged, message="outreach never learned the units")


async def subtree_activities(http: httpx.AsyncClient, path: str, token: str = CITY_TOKEN) -> int:
    response = await http.get(f"/api/v1/units/{path}", headers=bearer(token))
    return int(response.json()["subtree"]["activities"]) if response.status_code == 200 else -1


async def equals(value: Awaitable[int], expected: int) -> bool:
    """For wait_until: does the awaited number equal ``expected`` yet?"""
    return await value == expected


@asynccontextmanager
async def running_gateway(
    nats_url: str,
    database_url: str,
    folder: Path,
    services: tuple[str, ...] = ("duty", "outreach", "projection"),
    tokens: dict[str, dict[str, Any]] | None = None,
    **options: Any,
) -> AsyncIterator[GatewayRuntime]:
    """The services in-process (duty, outreach and projection by default; ``options`` such as ``clock``
    go to each), and the gateway on a free port with the test tokens (``tokens``: more people beside
    them)."""
    tokens_file = folder / "tokens.json"
    tokens_file.write_text(json.dumps(TOKENS | (tokens or {})), encoding="utf-8")
    async with running(nats_url, database_url, *services, **options):
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

"""`sanji demo` at full size against a real stack: the outreach year lands and adds up."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.cli.demo import DEFAULT_ACTIVITIES, check_rollup, seed_demo
from services.gateway.app import GatewayRuntime
from tests.gateway.support import CITY_TOKEN, bearer
from tests.helpers import wait_until


@pytest.mark.slow
async def test_the_full_demo_seeds_a_year_of_outreach(
    gateway: GatewayRuntime, http: httpx.AsyncClient
) -> None:
    lines: list[str] = []
    city = await seed_demo(
        f"http://127.0.0.1:{gateway.http_port}", CITY_TOKEN, DEFAULT_ACTIVITIES, echo=lines.append
    )
    subtree, own, children = check_rollup(city)
    assert subtree == own + children
    assert subtree > DEFAULT_ACTIVITIES  # the scattered activities and the imported ledger
    assert any(line.startswith("imported the 2026 ledger") for line in lines), lines
    (meetings,) = [line for line in lines if line.startswith("recorded the 2026 meetings register")]
    assert ": 0 new" not in meetings, meetings  # the back-filled register lands (reasons given)

    async def summary() -> dict[str, Any]:
        answer = await http.get("/api/v1/outreach/units/3205/summary?period=2026", headers=bearer(CITY_TOKEN))
        result: dict[str, Any] = answer.json()
        return result

    async def caught_up() -> bool:
        return int((await summary())["subtree"]["activities"]) == subtree

    await wait_until(caught_up, timeout=60, message="the outreach view never matched the unit view")
    found = await summary()
    (monthly,) = [t for t in found["plan"]["targets"] if t["kind"] == "central_group_study"]
    assert monthly["year"]["target"] == 12
    assert 0 < monthly["year"]["counted"] <= 10  # January–October held, with the odd month missed
    assert all(child["plan"]["target"] > 0 for child in found["children"])

    (sent,) = [line for line in lines if line.startswith("set ") and "items sent upward" in line]
    assert "recorded 0 items" not in sent, sent

    async def submissions_counted() -> bool:
        answer = await http.get(
            "/api/v1/outreach/units/3205/submissions?period=2026", headers=bearer(CITY_TOKEN)
        )
        found = answer.json()
        return answer.status_code == 200 and found["submitted"]["total"] > found["adopted"]["total"] > 0

    await wait_until(submissions_counted, timeout=60, message="the demo's 信息报送 never reached the view")

    url = f"http://127.0.0.1:{gateway.http_port}"
    again = await seed_demo(url, CITY_TOKEN, DEFAULT_ACTIVITIES, echo=lines.append)
    assert again["subtree"]["activities"] == subtree  # a second run changes nothing

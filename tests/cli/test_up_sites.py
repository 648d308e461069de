"""`sanji up --site county` joined to a running `sanji up --county …` city on one machine, as the README
says to try it: each its own data folder, NATS and PostgreSQL; units registered at the city only, work
recorded at the county, the city's view shows it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.eventkit.embedded import free_port
from tests.helpers import wait_until
from tests.up_process import Up

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
AUTH = {"Authorization": "Bearer dev-city-admin"}
TOWN = "3205.320506.320506001"
UNITS = [
    ("3205", "苏州市民政局", "bureau"),
    ("3205.320506", "吴中区民政局", "county_office"),
    (TOWN, "长桥街道", "township_office"),
]


@pytest.fixture
def runs() -> Iterator[list[Up]]:
    started: list[Up] = []
    yield started
    for run in reversed(started):
        run.cleanup()


async def _send(client: httpx.AsyncClient, url: str, command: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"{url}/api/v1/commands/{command}", json=body, headers=AUTH)


async def test_a_county_site_joins_a_running_city_site(tmp_path: Path, runs: list[Up]) -> None:
    city = Up(tmp_path / "city", free_port(), "city", "--county", "320506")
    runs.append(city)
    await city.wait_ready()
    found = re.search(r"counties 320506 join at (nats://127\.0\.0\.1:\d+)", city.output())
    assert found, city.output()
    credentials = tmp_path / "city" / "nats" / "leaf-c320506.json"
    county = Up(
        tmp_path / "county",
        free_port(),
        "county",
        *(
            "--site",
            "county",
            "--scope",
            "3205.320506",
            "--hub",
            found[1],
            "--hub-credentials",
            str(credentials),
        ),
    )
    runs.append(county)
    await county.wait_ready()
    assert "county 3205.320506; leaf node of the hub" in county.output()

    async with httpx.AsyncClient(timeout=10) as client:
        for path, name, kind in UNITS:  # at the city only
            reply = await _send(
                client, city.url, "duty/register_unit", {"path": path, "name": name, "kind": kind}
            )
            assert reply.status_code == 200, reply.text
        activity = {
            "activity_id": "talk-0001",
            "unit": TOWN,
            "kind": "outreach_talk",
            "topic": "民法典进社区",
            "held_on": "2026-03-02",
            "audience": 120,
        }

        async def logged_at_the_county() -> bool:
            return (await _send(client, county.url, "outreach/log_activity", activity)).status_code == 200

        await wait_until(logged_at_the_county, 60, interval=0.5, message="the county never learned the unit")

        async def the_city_sees_it() -> bool:
            answer = await client.get(f"{city.url}/api/v1/units/3205.320506", headers=AUTH)
            return answer.status_code == 200 and answer.json()["subtree"]["activities"] == 1

        await wait_until(the_city_sees_it, 60, interval=0.5, message="the city never saw the county's work")
    assert county.interrupt() == 0
    assert city.interrupt() == 0

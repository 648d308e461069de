"""The first slice end to end: units registered in duty, activities logged in outreach, counts rolled
up in the projection — through real NATS and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client, running

UNITS = [
    ("3205", "苏州市民政局", "bureau"),
    ("3205.320506", "吴中区民政局", "county_office"),
    ("3205.320506.320506001", "长桥街道", "township_office"),
    ("3205.320506.320506002", "郭巷街道", "township_office"),
    ("3205.320507", "相城区民政局", "county_office"),
]


async def test_activities_roll_up_township_county_city(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        for path, name, kind in UNITS:
            reply = await sanji.send(
                "duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN
            )
            assert reply.ok, reply.error

        async def log(activity_id: str, unit: str, audience: int) -> bool:
            reply = await sanji.send(
                "outreach.log_activity",
                {
                    "activity_id": activity_id,
                    "unit": unit,
                    "kind": "outreach_talk",
                    "topic": "民政政策宣讲",
                    "held_on": "2026-03-02",
                    "audience": audience,
                },
                CITY_ADMIN,
                command_id=f"cmd-{activity_id}",
            )
            return reply.ok

        # Outreach learns units from duty's events asynchronously: retry until it knows them.
        await wait_until(lambda: log("act-0001", "3205.320506.320506001", 120), message="unit never known")
        assert await log("act-0002", "3205.320506.320506002", 80)
        assert await log("act-0003", "3205.320506", 30)
        assert await log("act-0004", "3205", 5)
        assert await log("act-0004", "3205", 5)  # the same command again: applied once

        async def city() -> dict[str, Any]:
            answer = await sanji.query("projection.unit", {"path": "3205"})
            return answer["result"] if answer["ok"] else {}

        async def caught_up() -> bool:
            # Duty's and outreach's relays publish independently: wait for both counties and all activities.
            found = await city()
            return len(found.get("children", [])) == 2 and await _subtree_activities(city) == 4

        await wait_until(caught_up, message="projection never caught up")
        result = await city()
        assert result["own"]["activities"] == 1
        assert result["subtree"] == {
            "activities": 4,
            "audience": 235,
            "by_kind": {"outreach_talk": {"activities": 4, "audience": 235}},
        }
        children = {c["path"]: c["subtree"] for c in result["children"]}
        assert children == {
            "3205.320506": {"activities": 3, "audience": 230},
            "3205.320507": {"activities": 0, "audience": 0},
        }
        assert (
            sum(c["activities"] for c in children.values()) + result["own"]["activities"]
            == result["subtree"]["activities"]
        )
        assert result["freshness"]["checkpoint"] >= 9


async def _subtree_activities(city) -> int:
    found = await city()
    return int(found.get("subtree", {}).get("activities", -1))

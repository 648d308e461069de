"""A small outreach world for integration tests: units registered in duty, learned by outreach."""

from __future__ import annotations

from typing import Any

from contracts.commands import Actor, Role
from services.eventkit.client import SanjiClient
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN

UNITS = [
    ("3205", "苏州市民政局", "bureau"),
    ("3205.320506", "吴中区民政局", "county_office"),
    ("3205.320506.320506001", "长桥街道", "township_office"),
    ("3205.320506.320506002", "郭巷街道", "township_office"),
]
TOWNSHIP = "3205.320506.320506001"
CITY_LEADER = Actor(id="leader@3205", scope="3205", roles=frozenset({Role.LEADER}))


def activity(activity_id: str, unit: str = TOWNSHIP, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "activity_id": activity_id,
        "unit": unit,
        "kind": "outreach_talk",
        "topic": "最低生活保障政策宣讲",
        "held_on": "2025-03-10",
        "audience": 100,
    }
    return body | changes


async def register_units(sanji: SanjiClient) -> None:
    for path, name, kind in UNITS:
        reply = await sanji.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN)
        assert reply.ok, reply.error

    async def outreach_knows_them() -> bool:  # outreach learns units from duty's events, asynchronously
        reply = await sanji.send("outreach.log_activity", activity("probe-0001", UNITS[-1][0]), CITY_ADMIN)
        return reply.ok or (reply.error is not None and reply.error.code == "conflict")

    await wait_until(outreach_knows_them, message="outreach never learned the units")


async def query(sanji: SanjiClient, name: str, **params: Any) -> dict[str, Any]:
    answer = await sanji.query(f"projection.{name}", params)
    assert answer["ok"], answer
    result: dict[str, Any] = answer["result"]
    return result

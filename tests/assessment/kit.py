"""What the assessment tests over real services share: the city's units, an assessor, sending commands
that must succeed, logging a study session, and the service's runtime among those running."""

from __future__ import annotations

from typing import Any

from contracts.commands import Actor, Role
from services.eventkit.client import SanjiClient
from services.eventkit.runtime import ServiceRuntime
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN

CITY, COUNTY = "3205", "3205.320506"
TOWN_A, TOWN_B = "3205.320506.320506001", "3205.320506.320506002"
ASSESSOR = Actor(id="assessor@3205", scope=CITY, roles=frozenset({Role.ASSESSOR}))
UNITS = [
    (CITY, "苏州市民政局", "bureau"),
    (COUNTY, "吴中区民政局", "county_office"),
    (TOWN_A, "长桥街道", "township_office"),
    (TOWN_B, "郭巷街道", "township_office"),
]

# The scheme the scoring tests over real services adopt: study quotas a month, rolled up to the city.
SCHEME: dict[str, Any] = {
    "title": "意识形态工作责任制考核细则",
    "indicators": [
        {
            "id": "study",
            "name": "学习教育",
            "children": [
                {
                    "id": "central_study",
                    "name": "中心组学习每月不少于1次",
                    "kind": "quota",
                    "points": 10,
                    "select": {"metric": "activity", "where": {"kind": "central_group_study"}},
                    "per": "month",
                    "required": 1,
                    "per_missing": 2,
                },
            ],
        },
        {"id": "innovation", "name": "工作创新", "kind": "manual", "points": 10},
    ],
    "rollup": {"own": 0.5, "children": 0.5},
}

# One indicator only: a central-group study every month, rolled up half and half (the parking tests).
STUDY_SCHEME: dict[str, Any] = {
    "title": "意识形态工作责任制考核细则",
    "indicators": [
        {
            "id": "central_study",
            "name": "中心组学习每月不少于1次",
            "kind": "quota",
            "points": 10,
            "select": {"metric": "activity", "where": {"kind": "central_group_study"}},
            "per": "month",
            "required": 1,
            "per_missing": 2,
        },
    ],
    "rollup": {"own": 0.5, "children": 0.5},
}


async def ok(sanji: SanjiClient, name: str, body: dict[str, Any], actor: Actor = CITY_ADMIN) -> None:
    reply = await sanji.send(name, body, actor)
    assert reply.ok, (name, reply.error)


async def register_city(sanji: SanjiClient, scheme: dict[str, Any]) -> None:
    """The city, a county and two townships, and ``scheme`` adopted for 2026."""
    for path, name, kind in UNITS:
        await ok(sanji, "duty.register_unit", {"path": path, "name": name, "kind": kind})
    await ok(sanji, "assessment.adopt_scheme", {"unit": CITY, "year": 2026, "scheme": scheme}, ASSESSOR)


async def study(sanji: SanjiClient, activity_id: str, unit: str, held_on: str) -> None:
    """Log a study session; retried while outreach has not yet learnt the unit from duty's events."""
    body: dict[str, Any] = {"activity_id": activity_id, "unit": unit, "kind": "central_group_study"}
    body |= {"topic": "理论学习", "held_on": held_on, "audience": 12}

    async def logged() -> bool:
        reply = await sanji.send("outreach.log_activity", body, CITY_ADMIN)
        if reply.error is not None and reply.error.code == "not_found":
            return False  # the unit is not known to outreach yet
        assert reply.ok, ("outreach.log_activity", reply.error)
        return True

    await wait_until(logged, message=f"outreach never learnt {unit}")


def assessment(runtimes: list[ServiceRuntime]) -> ServiceRuntime:
    return next(r for r in runtimes if r.definition.name == "assessment")

"""Shared by the opinion integration tests: units, actors, a fake clock, and waiting for the stack."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.commands import Actor, CommandReply, Role
from contracts.registry import REGISTRY
from services.eventkit.client import SanjiClient
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.runtime import ServiceRuntime
from tests.helpers import wait_until
from tests.opinion.builders import CITY, COUNTY, OTHER_COUNTY, PLAN_LIMITS, TOWN, TOWN2

LEADER = Actor(id="leader@3205", scope=CITY, roles=frozenset({Role.ADMIN, Role.CLERK, Role.LEADER}))
COUNTY_CLERK = Actor(id="clerk@320506", scope=COUNTY, roles=frozenset({Role.CLERK}))
TOWN_CLERK = Actor(id="clerk@320506001", scope=TOWN, roles=frozenset({Role.CLERK}))
UNITS = [
    (CITY, "苏州市民政局", "bureau"),
    (COUNTY, "吴中区民政局", "county_office"),
    (TOWN, "长桥街道", "township_office"),
    (TOWN2, "郭巷街道", "township_office"),
    (OTHER_COUNTY, "相城区民政局", "county_office"),
]


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def named(runtimes: list[ServiceRuntime], name: str) -> ServiceRuntime:
    return next(runtime for runtime in runtimes if runtime.definition.name == name)


async def setup_city(sanji: SanjiClient) -> None:
    """Register the units, adopt the response plan, and wait until opinion has learned the units."""
    for path, name, kind in UNITS:
        reply = await sanji.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, LEADER)
        assert reply.ok, reply.error
    plan = await sanji.send("opinion.adopt_response_plan", {"unit": CITY, "limits": PLAN_LIMITS}, LEADER)
    assert plan.ok, plan.error

    async def knows_every_unit() -> bool:
        probe = await sanji.send(
            "opinion.file_nil_report", {"unit": OTHER_COUNTY, "day": "2000-01-01"}, LEADER
        )
        return probe.error is not None and probe.error.code != "not_found"

    await wait_until(knows_every_unit, message="opinion never learned the units from duty")


async def send_ok(sanji: SanjiClient, name: str, body: dict[str, Any], actor: Actor = LEADER) -> CommandReply:
    reply = await sanji.send(name, body, actor)
    assert reply.ok, (name, reply.error)
    return reply


def item(case_id: str, unit: str, captured_at: datetime, drill: bool = False) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "unit": unit,
        "channel": "weibo",
        "title": "网传养老院护工推搡老人",
        "excerpt": "短视频显示某养老院护工推搡老人，引发网友关注。",
        "link": "https://weibo.example/p/1",
        "captured_at": captured_at.isoformat(),
        "drill": drill,
    }


async def event_types(store: PostgresEventStore, case_id: str) -> list[str]:
    return [
        stored.envelope.type.partition(".")[2] for stored in await store.read_stream(f"opinion:{case_id}")
    ]


async def events_of(store: PostgresEventStore, case_id: str) -> list[Any]:
    return [REGISTRY.decode(stored.envelope) for stored in await store.read_stream(f"opinion:{case_id}")]

"""Integration helpers: a duty structure sent through NATS, and replies checked as a clerk sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.commands import Actor, CommandReply, Role
from services.eventkit.client import SanjiClient

CITY = Actor(id="admin@3205", scope="3205", roles=frozenset({Role.ADMIN, Role.CLERK, Role.LEADER}))
WUZHONG_CLERK = Actor(id="clerk@320506", scope="3205.320506", roles=frozenset({Role.CLERK}))
CHANGQIAO_ADMIN = Actor(id="admin@320506001", scope="3205.320506.320506001", roles=frozenset({Role.ADMIN}))

CITY_PATH, WUZHONG, XIANGCHENG = "3205", "3205.320506", "3205.320507"
CHANGQIAO, GUOXIANG = f"{WUZHONG}.320506001", f"{WUZHONG}.320506002"
UNITS = [
    (CITY_PATH, "苏州市民政局", "bureau"),
    (WUZHONG, "吴中区民政局", "county_office"),
    (XIANGCHENG, "相城区民政局", "county_office"),
    (CHANGQIAO, "长桥街道", "township_office"),
    (GUOXIANG, "郭巷街道", "township_office"),
    (f"{WUZHONG}.dept_office", "办公室", "department"),
    (f"{GUOXIANG}.branch01", "郭巷街道机关党支部", "branch"),
]


async def ok(sanji: SanjiClient, name: str, body: dict[str, Any], actor: Actor = CITY) -> CommandReply:
    reply = await sanji.send(name, body, actor)
    assert reply.ok, (name, reply.error)
    return reply


async def refused(
    sanji: SanjiClient, name: str, body: dict[str, Any], actor: Actor = CITY
) -> tuple[str, str]:
    """(code, message) of a refusal."""
    reply = await sanji.send(name, body, actor)
    assert not reply.ok, f"{name} was accepted"
    assert reply.error is not None
    return reply.error.code, reply.error.message


async def register_units(sanji: SanjiClient) -> None:
    for path, name, kind in UNITS:
        await ok(sanji, "duty.register_unit", {"path": path, "name": name, "kind": kind})


async def post(
    sanji: SanjiClient, post_id: str, unit: str, kind: str, holder: tuple[str, str] | None, since: str
) -> None:
    await ok(sanji, "duty.create_post", {"post_id": post_id, "unit": unit, "kind": kind, "title": kind})
    if holder:
        staff_no, name = holder
        body = {
            "post_id": post_id,
            "unit": unit,
            "staff_no": staff_no,
            "person_name": name,
            "effective_on": since,
        }
        await ok(sanji, "duty.fill_post", body)


async def outlet(sanji: SanjiClient, outlet_id: str, unit: str, kind: str, owner: str, since: str) -> None:
    body = {
        "outlet_id": outlet_id,
        "unit": unit,
        "kind": kind,
        "name": f"{outlet_id} 阵地",
        "owner_post_id": owner,
        "effective_on": since,
    }
    await ok(sanji, "duty.register_outlet", body)


class FakeClock:
    """The services' clock in a test: set ``now`` to move time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def answer(sanji: SanjiClient, name: str, **params: Any) -> dict[str, Any]:
    """A projection query's result; fails the test on an error answer."""
    found = await sanji.query(name, params)
    assert found["ok"], (name, params, found)
    result: dict[str, Any] = found["result"]
    return result


async def answer_or_none(sanji: SanjiClient, name: str, **params: Any) -> dict[str, Any] | None:
    found = await sanji.query(name, params)
    return found["result"] if found.get("ok") else None

"""The duty part of `sanji demo`: every command is valid, keys are unique and stable, and the whole
plan is accepted by the real duty service and shows in the duty view."""

from __future__ import annotations

import asyncio
from typing import Any

import contracts  # noqa: F401  (registers every command)
from contracts.commands import COMMANDS, Actor, Role
from services.cli.demo import demo_units
from services.cli.demo_duty import duty_plan
from tests.duty.support import CITY, answer_or_none
from tests.helpers import wait_until
from tests.stack import client, running

DEMO = Actor(id="demo@3205", scope="3205", roles=frozenset({Role.ADMIN, Role.CLERK}))


def test_the_plan_is_valid_deterministic_and_keyed_once() -> None:
    plan = duty_plan(demo_units())
    commands = list(plan.commands())
    for name, body, _ in commands:
        COMMANDS[name].model_validate(body)
    keys = [key for _, _, key in commands]
    assert len(keys) == len(set(keys))
    again = list(duty_plan(demo_units()).commands())
    assert again == commands


async def test_the_demo_structure_is_accepted_and_shows_gaps_and_rectifications(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "projection"), client(nats_url) as sanji:
        # The demo runs with the development admin token: admin and clerk roles, no leader sign-offs.
        for unit in demo_units():  # parents before children
            body = {"path": unit.path, "name": unit.name, "kind": unit.kind}
            assert (await sanji.send("duty.register_unit", body, CITY)).ok
        plan = duty_plan(demo_units())
        for number, phase in enumerate(plan.phases):
            if number < 3:
                replies = await asyncio.gather(*(sanji.send(n, b, DEMO, command_id=k) for n, b, k in phase))
            else:
                replies = [await sanji.send(n, b, DEMO, command_id=k) for n, b, k in phase]
            refused = [(n, r.error) for (n, _, _), r in zip(phase, replies, strict=True) if not r.ok]
            assert not refused

        async def city() -> dict[str, Any] | None:
            found = await answer_or_none(sanji, "projection.duty.unit", path="3205")
            done = found and found["subtree"]["rectifications"]["open"] == 2
            return found if done else None

        await wait_until(city, message="the demo never showed in the duty view")
        found = await city()
        assert found is not None
        subtree = found["subtree"]
        assert subtree["coverage_gaps"] == 2  # 相城区's information officer owned two outlets
        assert subtree["rectifications"] == {"open": 2, "overdue": 0, "closed": 0, "closed_late": 0}
        assert set(subtree["outlets"]["by_kind"]) == {
            "website",
            "wechat_account",
            "video_account",
            "internal_publication",
            "bulletin_board",
            "electronic_screen",
            "reading_corner",
            "lecture_hall",
        }

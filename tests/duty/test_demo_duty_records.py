"""The recurring duties of `sanji demo`: every command is valid, keys are unique and stable, and the
plan is accepted by the real duty service after the demo's structure and shows in the duty view."""

from __future__ import annotations

from typing import Any

import contracts  # noqa: F401  (registers every command)
from contracts.commands import COMMANDS, Actor, Role
from services.cli.demo import demo_units
from services.cli.demo_duty import duty_plan
from services.cli.demo_duty_records import records_plan
from tests.duty.support import CITY, answer_or_none
from tests.helpers import wait_until
from tests.stack import client, running

DEMO = Actor(id="demo@3205", scope="3205", roles=frozenset({Role.ADMIN, Role.CLERK}))  # the dev admin token


def test_the_plan_is_valid_deterministic_and_keyed_once() -> None:
    phases = records_plan(demo_units())
    commands = [command for phase in phases for command in phase]
    for name, body, _ in commands:
        COMMANDS[name].model_validate(body)
    keys = [key for _, _, key in commands] + [key for _, _, key in duty_plan(demo_units()).commands()]
    assert len(keys) == len(set(keys))
    assert records_plan(demo_units()) == phases


async def test_the_demo_records_are_accepted_and_show_in_the_duty_view(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "projection"), client(nats_url) as sanji:
        for unit in demo_units():  # parents before children
            body = {"path": unit.path, "name": unit.name, "kind": unit.kind}
            assert (await sanji.send("duty.register_unit", body, CITY)).ok
        for phase in [*duty_plan(demo_units()).phases, *records_plan(demo_units())]:
            for name, body, key in phase:  # one by one: coverage changes keep their order
                reply = await sanji.send(name, body, DEMO, command_id=key)
                assert reply.ok, (name, key, reply.error)

        async def records() -> dict[str, Any] | None:
            found = await answer_or_none(sanji, "projection.duty.records", path="3205", as_of="2026-10-31")
            return (
                found
                if found and len(found["organizations"]) == 15 and found["counts"]["reports_overdue"]
                else None
            )

        await wait_until(records, message="the demo's records never showed in the duty view")
        found = await records()
        assert found is not None
        overdue = {o["unit"].split(".")[1] for o in found["outlets"] if o["overdue"] and o["unit"] != "3205"}
        assert "320507" in overdue  # 相城区's outlets were never inspected
        assert "320506" not in overdue  # 吴中区's were, in October
        states = {r["state"] for r in found["reports"] if r["half_year"] in ("2025-H2", "2026-H1")}
        assert states == {"on_time", "late", "overdue"}
        assert {o["coverage"] for o in found["organizations"]} == {"party_organization", "liaison", "none"}

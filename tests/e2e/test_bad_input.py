"""Bad command input gets an error naming the field and why, is recorded for operators, and
changes nothing else."""

from __future__ import annotations

import asyncpg
import pytest

from contracts.commands import Actor, CommandRequest, Role
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client, running

GOOD = {
    "activity_id": "act-00000001",
    "unit": "3205",
    "kind": "seminar",
    "topic": "专题研讨",
    "held_on": "2026-04-01",
    "audience": 20,
}
COUNTY_CLERK = Actor(id="clerk@320506", scope="3205.320506", roles=frozenset({Role.CLERK}))


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"colour": "red"}, "body.colour", "unknown field"),
        ({"audience": "many"}, "body.audience", "valid integer"),
        ({"audience": -1}, "body.audience", "greater than or equal to 0"),
        ({"held_on": "2026-13-01"}, "body.held_on", "valid date"),
        ({"unit": "3205.999999"}, "body.unit", "does not lie under '3205'"),
        ({"unit": "3205.320599"}, "unit", "is not registered"),
        ({"topic": "宣" * 201}, "body.topic", "at most 200 characters"),
        ({"held_on": "2099-01-01"}, "body.held_on", "in the future"),
    ],
)
async def test_bad_fields_are_named_and_nothing_is_stored(
    nats_url: str, database_url: str, change: dict[str, object], field: str, reason: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach"), client(nats_url) as sanji:
        await sanji.send(
            "duty.register_unit", {"path": "3205", "name": "苏州市民政局", "kind": "bureau"}, CITY_ADMIN
        )
        conn = await asyncpg.connect(database_url)
        try:

            async def unit_known() -> bool:
                return bool(await conn.fetchval("SELECT count(*) FROM outreach.known_units"))

            await wait_until(unit_known, message="outreach never learned the city")
            reply = await sanji.send("outreach.log_activity", {**GOOD, **change}, CITY_ADMIN)
            assert not reply.ok
            assert reply.error is not None
            assert any(f.field == field and reason in f.reason for f in reply.error.fields), reply.error
            assert await conn.fetchval("SELECT count(*) FROM outreach.events") == 0
            recorded = await conn.fetchrow("SELECT command, code, fields FROM outreach.rejections")
            assert recorded is not None
            assert recorded["command"] == "outreach.log_activity"
            assert field in recorded["fields"]
        finally:
            await conn.close()


async def test_oversize_and_malformed_requests_are_refused(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "outreach"), client(nats_url) as sanji:
        huge = CommandRequest(actor=CITY_ADMIN, commandid="oversize-1", body={**GOOD, "topic": "x" * 70_000})
        reply = await sanji.send_raw("outreach.log_activity", huge.model_dump_json().encode())
        assert reply.error is not None
        assert reply.error.fields[0].field == "body"
        assert "at most" in reply.error.fields[0].reason

        reply = await sanji.send_raw("outreach.log_activity", b'{"actor": 1}')
        assert reply.error is not None
        assert {f.field for f in reply.error.fields} >= {"actor", "commandid", "body"}


async def test_actor_scope_and_role_are_enforced(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "duty", "outreach"), client(nats_url) as sanji:
        for path, name, kind in [
            ("3205", "苏州市民政局", "bureau"),
            ("3205.320506", "吴中区民政局", "county_office"),
            ("3205.320507", "相城区民政局", "county_office"),
        ]:
            assert (
                await sanji.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN)
            ).ok

        reply = await sanji.send(
            "duty.register_unit",
            {"path": "3205.320508", "name": "姑苏区", "kind": "county_office"},
            COUNTY_CLERK,
        )
        assert reply.error is not None
        assert reply.error.code == "forbidden"
        assert reply.error.fields[0].field == "actor.roles"

        outside = await sanji.send("outreach.log_activity", {**GOOD, "unit": "3205.320507"}, COUNTY_CLERK)
        assert outside.error is not None
        assert (outside.error.code, outside.error.fields[0].field) == ("forbidden", "actor.scope")

        async def inside_ok() -> bool:
            return (
                await sanji.send("outreach.log_activity", {**GOOD, "unit": "3205.320506"}, COUNTY_CLERK)
            ).ok

        await wait_until(inside_ok, message="a county clerk could not log in their own county")

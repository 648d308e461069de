"""Bad command input gets an error naming the field and why, is recorded for operators, and
changes nothing else."""

from __future__ import annotations

import json

import asyncpg
import pytest

from contracts.commands import Actor, CommandReply, CommandRequest, FieldError, Role
from contracts.subjects import ingest_subject
from tests.e2e.attacks import ATTACKS, GOOD_ACTIVITY
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client, running

GOOD = GOOD_ACTIVITY
COUNTY_CLERK = Actor(id="clerk@320506", scope="3205.320506", roles=frozenset({Role.CLERK}))

OPINION_INGEST = ingest_subject("opinion", "item", "monitor", "3205")
ACTIVITY_INGEST = ingest_subject("outreach", "activity", "elearning", "3205")


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
        assert (outside.error.code, outside.error.fields[0].field) == ("not_found", "unit")
        assert "3205.320506" not in outside.error.message  # the actor's own scope is not echoed either

        async def inside_ok() -> bool:
            return (
                await sanji.send("outreach.log_activity", {**GOOD, "unit": "3205.320506"}, COUNTY_CLERK)
            ).ok

        await wait_until(inside_ok, message="a county clerk could not log in their own county")


async def test_inputs_that_break_later_are_refused_at_the_door_over_nats(
    nats_url: str, database_url: str
) -> None:
    """Each attack: invalid, naming the field (``request`` when the JSON itself cannot be read), recorded
    as a rejection, nothing stored; the good body beside them is logged."""
    async with running(nats_url, database_url, "duty", "outreach"), client(nats_url) as sanji:
        await sanji.send(
            "duty.register_unit", {"path": "3205", "name": "苏州市民政局", "kind": "bureau"}, CITY_ADMIN
        )
        conn = await asyncpg.connect(database_url)
        try:
            actor = CITY_ADMIN.model_dump_json()
            for number, attack in enumerate(ATTACKS):
                raw = (
                    f'{{"actor": {actor}, "commandid": "attack-{number:04d}",'
                    f' "body": {attack.body_text(GOOD)}}}'
                )
                reply = await sanji.send_raw("outreach.log_activity", raw.encode())
                assert reply.error is not None, attack.name
                assert reply.error.code == "invalid", (attack.name, reply.error)
                field = f"body.{attack.field}" if attack.field else "request"
                named = reply.error.fields[0]
                assert named.field.startswith(field), (attack.name, reply.error)
                assert attack.reason in named.reason, (attack.name, reply.error)
                assert "Traceback" not in reply.model_dump_json()
                recorded = await conn.fetchval(
                    "SELECT fields FROM outreach.rejections ORDER BY id DESC LIMIT 1"
                )
                assert json.loads(recorded)[0]["field"] == named.field, attack.name
            nul_correlation = {"actor": CITY_ADMIN.model_dump(mode="json"), "commandid": "attack-corr-1"}
            nul_correlation |= {"correlationid": "a\u0000b", "body": GOOD}
            reply = await sanji.send_raw("outreach.log_activity", json.dumps(nul_correlation).encode())
            assert reply.error is not None
            assert reply.error.fields[0].field == "correlationid"
            assert await conn.fetchval("SELECT count(*) FROM outreach.events") == 0
            assert await conn.fetchval("SELECT count(*) FROM outreach.processed_commands") == 0

            async def good_is_logged() -> bool:  # outreach learns the city from duty's events
                return (await sanji.send("outreach.log_activity", GOOD, CITY_ADMIN)).ok

            await wait_until(good_is_logged, message="the good activity was never logged")
        finally:
            await conn.close()


async def test_ingest_refuses_bad_dates_and_text_naming_the_field(nats_url: str, database_url: str) -> None:
    """Year 0002 and a NUL through ingest: an opinion item is refused whole, an imported activity row
    fails alone; nothing of either is stored."""
    async with running(nats_url, database_url, "duty", "outreach", "opinion"), client(nats_url) as sanji:
        for path, name, kind in [
            ("3205", "苏州市民政局", "bureau"),
            ("3205.320506", "吴中区民政局", "county_office"),
        ]:
            assert (
                await sanji.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN)
            ).ok
        system = {"id": "yuqing-platform", "scope": "3205", "roles": ["system"]}
        item = {
            "source": "yuqing-platform",
            "external_id": "post-0002",
            "unit": "3205.320506",
            "channel": "forum",
            "title": "网传低保审核不公",
            "excerpt": "有网民发帖称……\n第二段",
            "captured_at": "0002-01-01T00:00:00+08:00",
        }
        for change, field, reason in [
            ({}, "body.captured_at", "before 2000-01-01"),
            ({"captured_at": "2026-03-01T09:00:00+08:00", "title": "a\u0000b"}, "body.title", "NUL"),
        ]:
            request = {"actor": system, "commandid": f"ingest-{field}", "body": item | change}
            message = await sanji.nc.request(OPINION_INGEST, json.dumps(request).encode(), timeout=10)
            reply = CommandReply.model_validate_json(message.data)
            assert reply.error is not None, field
            assert (reply.error.code, reply.error.fields[0].field) == ("invalid", field)
            assert reason in reply.error.fields[0].reason

        deep = (
            b'{"actor": {"id": "x", "scope": "3205", "roles": ["system"]}, "body": '
            + b"[" * 5000
            + b"]" * 5000
            + b"}"
        )
        message = await sanji.nc.request(OPINION_INGEST, deep, timeout=10)
        reply = CommandReply.model_validate_json(message.data)
        assert reply.error is not None
        assert (reply.error.code, reply.error.fields[0].field) == ("invalid", "request")

        rows = {
            "source": "elearning",
            "unit": "3205.320506",
            "rows": [
                {
                    "external_id": "x-0002",
                    "unit": "3205.320506",
                    "kind": "training",
                    "topic": "业务培训",
                    "held_on": "0002-03-04",
                    "audience": 40,
                }
            ],
        }
        request = {"actor": system, "commandid": "ingest-rows-0002", "body": rows}
        message = await sanji.nc.request(ACTIVITY_INGEST, json.dumps(request).encode(), timeout=10)
        reply = CommandReply.model_validate_json(message.data)
        assert reply.ok, reply.error
        row = (reply.result or {})["rows"][0]
        assert row["status"] == "failed"
        assert row["errors"][0]["field"] == "held_on"
        assert "before 2000-01-01" in row["errors"][0]["reason"]
        conn = await asyncpg.connect(database_url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM outreach.events") == 0
            assert await conn.fetchval("SELECT count(*) FROM opinion.events") == 0
        finally:
            await conn.close()


async def test_every_attack_through_the_activity_ingest_subject(nats_url: str, database_url: str) -> None:
    """The same attacks in an imported row: JSON that cannot be read (or nests too deep) refuses the
    request, anything else fails the row naming its field; nothing is stored either way."""
    async with running(nats_url, database_url, "outreach"), client(nats_url) as sanji:
        system = json.dumps({"id": "elearning-platform", "scope": "3205", "roles": ["system"]})
        good_row = {k: v for k, v in GOOD.items() if k != "activity_id"} | {"external_id": "e-1"}
        for number, attack in enumerate(ATTACKS):
            body = f'{{"source": "elearning", "unit": "3205", "rows": [{attack.body_text(good_row)}]}}'
            raw = f'{{"actor": {system}, "commandid": "ingest-attack-{number:04d}", "body": {body}}}'
            message = await sanji.nc.request(ACTIVITY_INGEST, raw.encode(), timeout=10)
            reply = CommandReply.model_validate_json(message.data)
            if reply.error is not None:  # the JSON itself refused: the whole request, naming where
                named = reply.error.fields[0]
                where = f"body.rows.0.{attack.field}" if attack.field else "request"
                assert (reply.error.code, named.field.startswith(where)) == ("invalid", True), (
                    attack.name,
                    named,
                )
            else:
                row = (reply.result or {})["rows"][0]
                assert row["status"] == "failed", attack.name
                named = FieldError.model_validate(row["errors"][0])
                assert named.field.startswith(str(attack.field)), (attack.name, named)
            assert attack.reason in named.reason, (attack.name, named)
        conn = await asyncpg.connect(database_url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM outreach.events") == 0
        finally:
            await conn.close()

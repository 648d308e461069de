"""Idempotency keys belong to the principal that sent them (design trap 11): over NATS commands and
ingest, another principal's key is another command, a key reused for another body is refused, and a
retry of the same request gets the stored reply and stores nothing."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from contracts.commands import Actor, CommandReply, Role
from contracts.subjects import ingest_subject
from tests.e2e.attacks import GOOD_ACTIVITY
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client, running

COUNTY = "3205.320506"
COUNTY_CLERK = Actor(id="clerk@320506", scope=COUNTY, roles=frozenset({Role.CLERK}))
KEY = "shared-key-0001"


async def count(conn: asyncpg.Connection, sql: str) -> int:
    found: int = await conn.fetchval(sql)
    return found


async def test_one_key_two_principals_both_stored_and_reuse_with_another_body_refused(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach"), client(nats_url) as sanji:
        for path, name, kind in [
            ("3205", "苏州市民政局", "bureau"),
            (COUNTY, "吴中区民政局", "county_office"),
        ]:
            assert (
                await sanji.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN)
            ).ok
        city_body = GOOD_ACTIVITY | {"activity_id": "act-city-0001"}
        county_body = GOOD_ACTIVITY | {"activity_id": "act-county-0001", "unit": COUNTY}

        async def county_known() -> bool:  # outreach learns units from duty's events, in order
            probe = county_body | {"activity_id": "act-probe-0001"}
            return (await sanji.send("outreach.log_activity", probe, COUNTY_CLERK)).ok

        await wait_until(county_known, message="outreach never learned the county")
        conn = await asyncpg.connect(database_url)
        try:
            events_before = await count(conn, "SELECT count(*) FROM outreach.events")
            city = await sanji.send("outreach.log_activity", city_body, CITY_ADMIN, command_id=KEY)
            county = await sanji.send("outreach.log_activity", county_body, COUNTY_CLERK, command_id=KEY)
            assert city.ok, city.error
            assert county.ok, county.error
            assert city.stream != county.stream  # the clerk did not get the admin's reply
            assert await count(conn, "SELECT count(*) FROM outreach.events") == events_before + 2
            principals = await conn.fetch(
                "SELECT principal FROM outreach.processed_commands WHERE command_id = $1 ORDER BY principal",
                KEY,
            )
            assert [row["principal"] for row in principals] == sorted([CITY_ADMIN.id, COUNTY_CLERK.id])

            other = await sanji.send(
                "outreach.log_activity", city_body | {"audience": 21}, CITY_ADMIN, command_id=KEY
            )
            assert other.error is not None
            assert (other.error.code, other.error.fields[0].field) == ("invalid", "commandid")
            assert "different request" in other.error.fields[0].reason
            rejected = await conn.fetchval("SELECT fields FROM outreach.rejections ORDER BY id DESC LIMIT 1")
            assert json.loads(rejected)[0]["field"] == "commandid"

            # The same request again, even with its keys in another order: the stored reply, nothing stored.
            again = await sanji.send(
                "outreach.log_activity", dict(reversed(city_body.items())), CITY_ADMIN, command_id=KEY
            )
            assert again == city
            assert await count(conn, "SELECT count(*) FROM outreach.events") == events_before + 2
            assert (
                await count(conn, "SELECT count(*) FROM outreach.processed_commands") == 3
            )  # probe, city, county
        finally:
            await conn.close()


async def ingest(sanji: Any, system: str, body: dict[str, Any]) -> CommandReply:
    """An ingest request from ``system`` (named by the subject; the body's actor counts for nothing)."""
    request = {"actor": {"id": system, "scope": "3205", "roles": ["system"]}, "commandid": KEY, "body": body}
    message = await sanji.nc.request(
        ingest_subject("outreach", "activity", system, "3205"), json.dumps(request).encode(), timeout=10
    )
    return CommandReply.model_validate_json(message.data)


async def test_ingest_keys_are_per_sending_system_and_a_legacy_key_still_answers(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach"), client(nats_url) as sanji:
        assert (
            await sanji.send(
                "duty.register_unit", {"path": "3205", "name": "苏州市民政局", "kind": "bureau"}, CITY_ADMIN
            )
        ).ok

        def batch(source: str) -> dict[str, Any]:
            row = {k: v for k, v in GOOD_ACTIVITY.items() if k != "activity_id"} | {"external_id": "e-1"}
            return {"source": source, "unit": "3205", "rows": [row]}

        async def city_known() -> bool:  # each try under a new key: a retry under one would get its reply
            return (await sanji.send("outreach.log_activity", GOOD_ACTIVITY, CITY_ADMIN)).ok

        await wait_until(city_known, message="outreach never learned the city")
        for system in ("elearning", "hotline"):
            reply = await ingest(sanji, system, batch(system))  # the same key: each system's own import
            assert reply.ok, reply.error
            assert (reply.result or {})["rows"][0]["status"] == "imported", reply.result

        conn = await asyncpg.connect(database_url)
        try:
            assert await count(conn, "SELECT count(*) FROM outreach.imported_activities") == 2
            # A reply stored before keys were per principal (principal '', no fingerprint) still answers
            # its key, so a retry across the upgrade is not applied twice.
            legacy = CommandReply(ok=True, events=[]).model_dump_json()
            await conn.execute(
                "INSERT INTO outreach.processed_commands (principal, command_id, reply) VALUES ('', $1, $2::jsonb)",
                "legacy-key-0001",
                legacy,
            )
            events = await count(conn, "SELECT count(*) FROM outreach.events")
            retried = await sanji.send(
                "outreach.log_activity", GOOD_ACTIVITY, CITY_ADMIN, command_id="legacy-key-0001"
            )
            assert retried == CommandReply(ok=True, events=[])
            assert await count(conn, "SELECT count(*) FROM outreach.events") == events
        finally:
            await conn.close()

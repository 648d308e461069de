"""Monitoring systems publish on ``sanji.ingest.opinion.<kind>.<system>.<unit tokens>``: items are deduplicated by source +
external id (a repeat replies ok with the original case and stores nothing), bad input is refused
with the field, and whatever actor the body claims, the sender acts as the system its subject names."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from contracts.commands import Actor, CommandReply, CommandRequest, Role
from contracts.opinion import ingested_case_id
from contracts.subjects import ingest_subject
from services.eventkit.client import SanjiClient, new_command_id
from tests.helpers import wait_until
from tests.opinion.builders import CITY, COUNTY, TOWN
from tests.opinion.support import TOWN_CLERK, event_types, named, setup_city
from tests.stack import client, running

PLATFORM = Actor(id="yuqing-platform", scope=CITY, roles=frozenset({Role.SYSTEM}))


async def ingest(
    sanji: SanjiClient,
    kind: str,
    body: dict[str, Any],
    command_id: str | None = None,
    *,
    scope: str = CITY,
    claims: Actor = PLATFORM,
) -> CommandReply:
    """Send as the ``monitor`` system for ``scope``; ``claims`` is what the body says, and is ignored."""
    request = CommandRequest(actor=claims, commandid=command_id or new_command_id(), body=body)
    message = await sanji.nc.request(
        ingest_subject("opinion", kind, "monitor", scope), request.model_dump_json().encode(), timeout=10
    )
    return CommandReply.model_validate_json(message.data)


def monitored(external_id: str, title: str = "网传低保审核不公") -> dict[str, Any]:
    return {
        "source": "yuqing-platform",
        "external_id": external_id,
        "unit": COUNTY,
        "channel": "forum",
        "title": title,
        "excerpt": "有网民发帖称某社区低保审核存在优亲厚友现象。",
        "link": "https://bbs.example/t/42",
        "captured_at": (datetime.now(UTC) - timedelta(minutes=20)).isoformat(),
    }


async def test_duplicate_ingest_replies_with_the_original_case_and_stores_nothing(
    nats_url: str, database_url: str
) -> None:
    async with (
        running(nats_url, database_url, "duty", "opinion", "projection") as runtimes,
        client(nats_url) as sanji,
    ):
        opinion = named(runtimes, "opinion")
        await setup_city(sanji)
        item = monitored("post-42")  # its capture time is computed: a retry must resend the same body
        first = await ingest(sanji, "item", item, command_id="ingest-cmd-0001")
        assert first.ok, first.error
        case_id = ingested_case_id("yuqing-platform", "post-42")
        assert first.result == {"case_id": case_id, "duplicate": False}
        assert len(first.events) == 1

        again = await ingest(sanji, "item", monitored("post-42", title="同一帖子再次推送"))
        assert again.ok
        assert again.result == {"case_id": case_id, "duplicate": True}
        assert again.events == []
        retried = await ingest(sanji, "item", item, command_id="ingest-cmd-0001")
        assert retried == first  # the same request id: the same reply

        # Five copies of a new item at once: one case, every reply naming it.
        twins = await asyncio.gather(*(ingest(sanji, "item", monitored("post-43")) for _ in range(5)))
        assert all(reply.ok for reply in twins), [r.error for r in twins]
        assert (
            sorted(bool(reply.result and reply.result["duplicate"]) for reply in twins)
            == [False] + [True] * 4
        )
        assert {reply.result["case_id"] for reply in twins if reply.result} == {
            ingested_case_id("yuqing-platform", "post-43")
        }

        assert await event_types(opinion.store, case_id) == ["reported"]
        rows = await opinion.pool.fetch(
            "SELECT source, external_id, case_id FROM opinion.ingested ORDER BY external_id"
        )
        assert [tuple(row) for row in rows] == [
            ("yuqing-platform", "post-42", case_id),
            ("yuqing-platform", "post-43", ingested_case_id("yuqing-platform", "post-43")),
        ]

        async def listed() -> bool:
            found = await sanji.query("projection.opinion.cases", {"path": TOWN.rsplit(".", 1)[0]})
            return bool(found["ok"]) and found["result"]["total"] == 2

        await wait_until(listed, message="the ingested items never showed")
        case = (await sanji.query("projection.opinion.case", {"case_id": case_id}))["result"]
        assert (case["source"], case["external_id"], case["title"]) == (
            "yuqing-platform",
            "post-42",
            "网传低保审核不公",
        )


async def test_bad_ingest_is_refused_with_the_field_and_roles_are_forced_to_system(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "opinion"), client(nats_url) as sanji:
        await setup_city(sanji)
        bad = await ingest(
            sanji, "item", {**monitored("post-50"), "colour": "red", "channel": "carrier_pigeon"}
        )
        assert bad.error is not None
        assert bad.error.code == "invalid"
        assert {f.field for f in bad.error.fields} == {"body.colour", "body.channel"}
        future = await ingest(
            sanji, "item", {**monitored("post-51"), "captured_at": "2099-01-01T00:00:00+08:00"}
        )
        assert future.error is not None
        assert (future.error.code, future.error.fields[0].field) == ("invalid", "body.captured_at")
        refused = await ingest(sanji, "item", {**monitored("post-52"), "unit": CITY}, scope=COUNTY)
        assert refused.error is not None
        assert refused.error.code == "not_found"  # outside its subtree: as if the unit did not exist

        # A body claiming to be an admin still only acts as SYSTEM; a clerk cannot ingest.
        admin = Actor(id="yuqing-platform", scope=CITY, roles=frozenset({Role.ADMIN}))
        assert (await ingest(sanji, "item", monitored("post-53"), claims=admin)).ok
        clerk = await sanji.send("opinion.ingest_item", monitored("post-54"), TOWN_CLERK)
        assert clerk.error is not None
        assert clerk.error.code == "forbidden"

        nil = await ingest(sanji, "nil_report", {"unit": TOWN, "day": datetime.now(UTC).date().isoformat()})
        assert nil.ok or (
            nil.error is not None and "has not come yet" in nil.error.message
        )  # UTC vs local date
        conn = await asyncpg.connect(database_url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM opinion.ingested") == 1
        finally:
            await conn.close()

"""信息报送 from another system: an OA (or e-learning) system publishes items sent upward and their
adoptions on the documented ingest subjects, and gets the command's clear reply back — recorded, or
refused naming the field. NATS lets the OA user publish exactly those two kinds, under its own name and
subtree; a unit outside that subtree is answered as if it did not exist."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nats.aio.client import Client as NatsClient

from contracts.commands import CommandReply, CommandRequest
from contracts.ingest import kinds_of
from contracts.subjects import ingest_subject
from services.eventkit.bususers import DEFAULT_SYSTEMS, ExternalSystem, system_grants
from services.eventkit.client import new_command_id
from services.eventkit.embedded import NatsServer
from tests.helpers import connect_collecting, refused, wait_until
from tests.outreach.support import TOWNSHIP, register_units
from tests.stack import CITY_ADMIN, client, running

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
SENT, ADOPTED, BEFORE_SENT = (str(TODAY - timedelta(days=days)) for days in (3, 1, 5))
COUNTY = "3205.320506"
OTHER_COUNTY = "3205.320507"
OA = ExternalSystem("oa", COUNTY, ("outreach.submission", "outreach.adoption"))


def item(submission_id: str, unit: str = TOWNSHIP, **changes: Any) -> dict[str, Any]:
    body = {
        "submission_id": submission_id,
        "unit": unit,
        "title": "长桥街道开展民政政策宣讲进社区活动",
        "submitted_on": SENT,
        "level": "city",
        "recipient": "市民政局办公室",
    }
    return body | changes


async def ingest(nc: NatsClient, kind: str, body: dict[str, Any], scope: str = COUNTY) -> CommandReply:
    # The body claims the city's admin: the subject's system and subtree are what count.
    request = CommandRequest(actor=CITY_ADMIN, commandid=new_command_id(), body=body)
    message = await nc.request(
        ingest_subject("outreach", kind, "oa", scope), request.model_dump_json().encode(), timeout=10
    )
    return CommandReply.model_validate_json(message.data)


def test_submissions_and_adoptions_are_documented_ingest_kinds_the_oa_system_may_publish_alone() -> None:
    assert {"submission", "adoption"} <= set(kinds_of("outreach"))
    [oa] = [system for system in DEFAULT_SYSTEMS if system.name == "oa"]
    assert system_grants(oa).publish == (
        "sanji.ingest.outreach.submission.oa.3205.*.*",
        "sanji.ingest.outreach.adoption.oa.3205.*.*",
    )


async def test_an_oa_system_ingests_items_and_adoptions_within_its_subtree_and_nothing_else(
    tmp_path: Path, database_url: str
) -> None:
    server = NatsServer(tmp_path / "nats", systems=[OA])
    with server:
        async with (
            running(server.url_for, database_url, "duty", "outreach") as runtimes,
            client(server.url_for("gateway")) as sanji,
        ):
            await register_units(sanji)
            other = {"path": OTHER_COUNTY, "name": "相城区民政局", "kind": "county_office"}
            assert (await sanji.send("duty.register_unit", other, CITY_ADMIN)).ok
            system, errors = await connect_collecting(server.url_for("oa"))
            try:

                async def recorded() -> bool:  # outreach learns the units from duty's events
                    reply = await ingest(system, "submission", item("oa-item-0001"))
                    if reply.error is not None and reply.error.code == "not_found":
                        return False
                    assert reply.ok, reply.error
                    return True

                await wait_until(recorded, message="outreach never took the OA system's item")
                adoption = {
                    "submission_id": "oa-item-0001",
                    "unit": TOWNSHIP,
                    "adopted_on": ADOPTED,
                    "level": "province",
                    "outlet": "江苏民政",
                }
                adopted = await ingest(system, "adoption", adoption)
                assert adopted.ok, adopted.error

                # Anything invalid: a clear reply naming the field, nothing recorded.
                bad = await ingest(system, "submission", item("oa-item-0002", level="galactic"))
                assert bad.error is not None
                assert bad.error.code == "invalid"
                assert [f.field for f in bad.error.fields] == ["body.level"]
                early = await ingest(
                    system, "adoption", {**adoption, "adopted_on": BEFORE_SENT, "outlet": "中国社会报"}
                )
                assert early.error is not None
                assert early.error.code == "rejected"  # adopted before it was sent
                # A unit outside its subtree: as if it did not exist.
                beyond = await ingest(system, "submission", item("oa-item-0003", unit=OTHER_COUNTY))
                assert beyond.error is not None
                assert beyond.error.code == "not_found"

                # NATS refuses another ingest kind, another subtree and another system's name.
                for subject in (
                    ingest_subject("outreach", "activity", "oa", COUNTY),
                    ingest_subject("opinion", "item", "oa", COUNTY),
                    ingest_subject("outreach", "submission", "oa", OTHER_COUNTY),
                    ingest_subject("outreach", "submission", "elearning", COUNTY),
                ):
                    await system.publish(subject, b"{}", reply="_INBOX_oa.x")
                    await wait_until(partial(refused, errors, "Publish", subject), message=subject)
            finally:
                await system.close()
            outreach = next(r for r in runtimes if r.definition.name == "outreach")
            rows = await outreach.pool.fetch(
                "SELECT envelope->>'type' AS type, envelope->>'actor' AS actor FROM outreach.events"
                " WHERE envelope->>'type' LIKE 'outreach.submission_%' ORDER BY position"
            )
            assert [(row["type"], row["actor"]) for row in rows] == [
                ("outreach.submission_recorded", "system:oa"),
                ("outreach.submission_adopted", "system:oa"),
            ]

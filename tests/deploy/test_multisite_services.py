"""Sanji's services on the shipped multi-site NATS configs: a county site runs duty and outreach, the city
hub runs the projection, which reads the hub's SANJI_EVENTS (the hub's own events plus every county's,
sourced). The county keeps taking commands while the hub is down; the hub's projection catches up."""

from __future__ import annotations

from typing import Any

import pytest

from services.eventkit.client import SanjiClient
from tests.deploy.sites import CATCH_UP_TIMEOUT, Site, connect, load_stream
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client, running

UNITS = [
    ("3205", "苏州市民政局", "bureau"),
    ("3205.320506", "吴中区民政局", "county_office"),
    ("3205.320506.320506001", "长桥街道", "township_office"),
]


async def _log(sanji: SanjiClient, activity_id: str, audience: int) -> bool:
    reply = await sanji.send(
        "outreach.log_activity",
        {
            "activity_id": activity_id,
            "unit": "3205.320506.320506001",
            "kind": "outreach_talk",
            "topic": "民法典进社区",
            "held_on": "2026-03-02",
            "audience": audience,
        },
        CITY_ADMIN,
        command_id=f"cmd-{activity_id}",
    )
    return reply.ok


async def _county_subtree(hub: Site) -> dict[str, Any]:
    async with client(hub.url("gateway")) as sanji:
        answer = await sanji.query("projection.unit", {"path": "3205.320506"})
    return answer["result"]["subtree"] if answer["ok"] else {}


async def _create_county_stream(county: Site) -> None:
    """What the operator does once at a new site, before starting its services (deploy/README.md)."""
    nc, js = await connect(county)
    try:
        await js.add_stream(config=load_stream("county/SANJI_EVENTS.json"))
    finally:
        await nc.close()


async def _add_county_sources(hub: Site) -> None:
    """At the hub, adding a county later: update the running SANJI_EVENTS with the shipped sources."""
    nc, js = await connect(hub)
    try:
        await js.update_stream(config=load_stream("hub/SANJI_EVENTS.json"))
    finally:
        await nc.close()


@pytest.mark.slow
async def test_hub_projection_reads_county_work_and_catches_up_after_an_outage(
    sites: tuple[Site, Site], database_url: str, second_database_url: str
) -> None:
    hub, county = sites
    county_db, hub_db = database_url, second_database_url
    await wait_until(lambda: hub.leaf_connections() == 1, message="county never joined the hub")
    await _create_county_stream(county)

    # Each service as its own NATS user, commands through the gateway's: the shipped grants suffice.
    async with (
        running(county.url, county_db, "duty", "outreach"),
        client(county.url("gateway")) as sanji,
    ):
        for path, name, kind in UNITS:
            reply = await sanji.send(
                "duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN
            )
            assert reply.ok, reply.error
        await wait_until(lambda: _log(sanji, "act-0001", 120), message="outreach never learned the unit")
        # Queries stay on their site: the county runs no projection, and the hub's does not answer here.
        assert (await sanji.query("projection.units"))["error"]["code"] == "unavailable"

        # The hub was running without the county: its projection created a plain SANJI_EVENTS; the
        # operator then adds the county's source, and its whole history flows in.
        async with running(hub.url, hub_db, "projection"):
            await _add_county_sources(hub)
            await wait_until(
                lambda: _county_subtree_is(hub, activities=1, audience=120),
                CATCH_UP_TIMEOUT,
                message="the hub's projection never saw the county's activity",
            )

        # The hub goes down; the county keeps serving its clerks.
        hub.stop()
        assert await _log(sanji, "act-0002", 80)
        assert await _log(sanji, "act-0003", 30)

        hub.start()
        async with running(hub.url, hub_db, "projection"):
            await wait_until(
                lambda: _county_subtree_is(hub, activities=3, audience=230),
                CATCH_UP_TIMEOUT,
                message="the hub's projection never caught up with the county",
            )


async def _county_subtree_is(hub: Site, *, activities: int, audience: int) -> bool:
    subtree = await _county_subtree(hub)
    return subtree.get("activities") == activities and subtree.get("audience") == audience

"""A city site and two county sites on loopback, each with its own nats-server, database and services.
The city registers every unit (the counties learn theirs from it); both counties record work; one county
is cut off (its leaf link dropped, both servers running) while both sides keep recording, the city
dispatching a case to the cut-off county; the link returns and every view converges, each event once.
The time to converge is measured and printed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from services.eventkit.busconnect import connect
from services.eventkit.client import SanjiClient
from services.eventkit.embedded import NatsServer, PostgresServer
from services.eventkit.sitestreams import provision_city, provision_county
from tests.conftest import fresh_database
from tests.deploy.multisite_kit import (
    CITY,
    LinkRelay,
    activities,
    city_server,
    county_server,
    leaf_links,
    log_activity,
    services,
    stored_events,
    town,
)
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client

COUNTIES = ("320506", "320507")
CUT, STAYS = COUNTIES
UNITS = [
    (CITY, "苏州市民政局", "bureau"),
    (f"{CITY}.{CUT}", "吴中区民政局", "county_office"),
    (f"{CITY}.{CUT}.{CUT}001", "长桥街道", "township_office"),
    (f"{CITY}.{STAYS}", "相城区民政局", "county_office"),
    (f"{CITY}.{STAYS}.{STAYS}001", "元和街道", "township_office"),
]
CITY_SERVICES = ("projection", "duty", "outreach", "opinion")
COUNTY_SERVICES = ("projection", "outreach", "opinion")
CONVERGE_TIMEOUT = 180.0  # a source consumer retries with a growing backoff after a cut


async def _dispatch(sanji: SanjiClient, case_id: str) -> None:
    """The city reports a case for the cut-off county's township: it is sent down to that county."""
    body = {
        "case_id": case_id,
        "unit": town(CUT),
        "channel": "weibo",
        "title": "网传某养老院护工虐待老人",
        "excerpt": "视频显示护工推搡老人……",
        "link": "https://weibo.example/post/1",
        "captured_at": datetime.now(UTC).isoformat(),
    }
    reply = await sanji.send("opinion.report", body, CITY_ADMIN, command_id=f"cmd-{case_id}")
    assert reply.ok, reply.error


async def _views_are(city: SanjiClient, counties: dict[str, SanjiClient], expected: dict[str, int]) -> bool:
    for county, count in expected.items():
        if await activities(city, f"{CITY}.{county}") != count:
            return False
        if await activities(counties[county], f"{CITY}.{county}") != count:
            return False
    return True


@pytest.fixture
async def databases(pg_server: PostgresServer) -> AsyncIterator[list[str]]:
    async with fresh_database(pg_server) as a, fresh_database(pg_server) as b, fresh_database(pg_server) as c:
        yield [a, b, c]


@pytest.mark.slow
async def test_a_county_cut_off_keeps_working_and_every_view_converges_once(
    tmp_path: Path, databases: list[str]
) -> None:
    city_db, *county_dbs = databases
    city = city_server(tmp_path, COUNTIES)
    city.start()
    relays = {county: LinkRelay(city.site.leaf_port) for county in COUNTIES}  # type: ignore[union-attr]
    servers: dict[str, NatsServer] = {}
    try:
        for county, relay in relays.items():
            await relay.restore()
            servers[county] = county_server(tmp_path, city, county, relay)
            servers[county].start()
        await _run(city, servers, relays, city_db, county_dbs)
    finally:
        for relay in relays.values():
            await relay.close()
        for server in servers.values():
            server.stop()
        city.stop()


async def _provision(city: NatsServer, servers: dict[str, NatsServer]) -> None:
    nc = await connect(city.url, "test-provision")
    try:
        await provision_city(nc.jetstream(), CITY, list(COUNTIES))
    finally:
        await nc.close()
    for county, server in servers.items():
        nc = await connect(server.url, "test-provision")
        try:
            await provision_county(nc.jetstream(), f"{CITY}.{county}")
        finally:
            await nc.close()


async def _run(
    city: NatsServer,
    servers: dict[str, NatsServer],
    relays: dict[str, LinkRelay],
    city_db: str,
    county_dbs: list[str],
) -> None:
    await _provision(city, servers)
    cut_db, stays_db = county_dbs
    async with (
        services(city, city_db, CITY_SERVICES),
        services(servers[CUT], cut_db, COUNTY_SERVICES, f"{CITY}.{CUT}"),
        services(servers[STAYS], stays_db, COUNTY_SERVICES, f"{CITY}.{STAYS}"),
        client(city.url_for("gateway")) as at_city,
        client(servers[CUT].url_for("gateway")) as at_cut,
        client(servers[STAYS].url_for("gateway")) as at_stays,
    ):
        at = {CUT: at_cut, STAYS: at_stays}
        for path, name, kind in UNITS:  # only the city registers units
            reply = await at_city.send(
                "duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN
            )
            assert reply.ok, reply.error
        for county in COUNTIES:  # each county learns its units from the city, then records
            await wait_until(partial(log_activity, at[county], county, 1), CONVERGE_TIMEOUT, message=county)
            assert await log_activity(at[county], county, 2)
        await wait_until(
            lambda: _views_are(at_city, at, {CUT: 2, STAYS: 2}), CONVERGE_TIMEOUT, message="never joined up"
        )

        # The link of one county drops; both sides keep recording, the city dispatches to the cut-off county.
        await relays[CUT].cut()
        await wait_until(lambda: leaf_links(city) == 1, message="the city still sees the cut-off county")
        for number in range(3, 6):
            assert await log_activity(at_cut, CUT, number)
        assert await log_activity(at_stays, STAYS, 3)
        await _dispatch(at_city, "case-while-cut")
        await wait_until(
            lambda: _views_are(at_city, at, {STAYS: 3}), CONVERGE_TIMEOUT, message="stays behind"
        )
        assert await activities(at_city, f"{CITY}.{CUT}") == 2  # the city cannot know yet
        assert await activities(at_cut, f"{CITY}.{CUT}") == 5  # the county works on

        await relays[CUT].restore()
        returned = time.monotonic()
        await wait_until(
            lambda: _views_are(at_city, at, {CUT: 5, STAYS: 3}), CONVERGE_TIMEOUT, message="never converged"
        )
        await wait_until(
            lambda: _sees_case(at_cut, "case-while-cut"),
            CONVERGE_TIMEOUT,
            message="the dispatch never came down",
        )
        converged = time.monotonic() - returned
        print(f"\npartition: every view converged {converged:.1f} s after the link returned")
        await _each_event_once(city, servers)


async def _sees_case(sanji: SanjiClient, case_id: str) -> bool:
    """The site's own view shows the case (at a county: one the city reported for it)."""
    answer = await sanji.query("projection.opinion.case", {"case_id": case_id})
    return bool(answer["ok"])


async def _each_event_once(city: NatsServer, servers: dict[str, NatsServer]) -> None:
    """The city holds every county event exactly once, in each county's order, with its headers (the
    read-your-writes position names the county's store); nothing of a county's own came back to it, and
    what the city sent down is there once."""
    nc = await connect(city.url, "test-check")
    try:
        city_stream = await stored_events(nc.jetstream())
    finally:
        await nc.close()
    at_city = [e.msg_id for e in city_stream]
    assert len(at_city) == len(set(at_city))
    for county, server in servers.items():
        county_nc = await connect(server.url, "test-check")
        try:
            stored = await stored_events(county_nc.jetstream())
        finally:
            await county_nc.close()
        own = [e.msg_id for e in stored if not e.subject.endswith(".city")]
        down = [e.msg_id for e in stored if e.subject.endswith(".city")]
        assert own, county
        assert [i for i in at_city if i in set(own)] == own, county
        sourced = [e for e in city_stream if e.msg_id in set(own)]
        assert all(e.subject.endswith(f".c{county}") for e in sourced), county
        assert all(e.position.startswith(f"{CITY}.{county}/") for e in sourced), county
        assert len(down) == len(set(down)), county
        assert not set(down) & set(own), county
        reported = [e for e in stored if e.kind == "opinion.reported"]
        assert [e.subject.endswith(".city") for e in reported] == ([True] if county == CUT else []), county

"""Rotating a county's leaf credentials while both sides record. `sanji credentials rotate leaf-c320506`
at the city gives the county's leaf user a new password (the hub reloads, and the credentials file the
county reads is rewritten); at its next login the county, still on the old password, is refused and keeps
working cut off; it re-joins with the new one (its nats-server restarted, its services reconnecting);
every event is at both sites once."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest

from services.cli.sites import leaf_port
from services.eventkit.busconnect import connect
from services.eventkit.client import SanjiClient
from services.eventkit.embedded import NatsServer, PostgresServer
from services.eventkit.embedded.site_nats import (
    CityHub,
    leaf_credentials_file,
    leaf_user,
    read_leaf_credentials,
)
from services.eventkit.sitestreams import provision_city, provision_county
from tests.conftest import fresh_database
from tests.deploy.multisite_kit import (
    CITY,
    LinkRelay,
    activities,
    county_server,
    leaf_links,
    log_activity,
    services,
    stored_events,
    town,
)
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client
from tests.up_process import sanji

COUNTY = "320506"
SCOPE = f"{CITY}.{COUNTY}"
TIMEOUT = 90.0  # a county's leaf reconnects every second; the hub's sources retry with a backoff
# nats-server's words at the hub for a leaf that logs in with a password it no longer takes
REFUSED = ("authentication error", "authorization violation")


@pytest.fixture
async def databases(pg_server: PostgresServer) -> AsyncIterator[tuple[str, str]]:
    async with fresh_database(pg_server) as city_db, fresh_database(pg_server) as county_db:
        yield city_db, county_db


async def _provision(city: NatsServer, county: NatsServer) -> None:
    nc = await connect(city.url, "test-provision")
    try:
        await provision_city(nc.jetstream(), CITY, [COUNTY])
    finally:
        await nc.close()
    nc = await connect(county.url, "test-provision")
    try:
        await provision_county(nc.jetstream(), SCOPE)
    finally:
        await nc.close()


async def _register(sanji: SanjiClient, path: str, name: str, kind: str) -> None:
    reply = await sanji.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN)
    assert reply.ok, reply.error


def _township(number: int) -> str:
    return f"{SCOPE}.{COUNTY}{number:03}"


async def _knows(sanji: SanjiClient, path: str) -> bool:
    return bool((await sanji.query("projection.unit", {"path": path}))["ok"])


@pytest.mark.slow
async def test_a_countys_leaf_password_rotates_while_both_sides_record(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    city_db, county_db = databases
    city_dir = tmp_path / "city"  # as `sanji up --county 320506 --data-dir city` keeps it
    city = NatsServer(city_dir / "nats", site=CityHub((COUNTY,), leaf_port(city_dir / "nats")))
    city.start()
    relay = LinkRelay(city.site.leaf_port)  # type: ignore[union-attr]
    await relay.restore()
    county = county_server(tmp_path, city, COUNTY, relay)
    try:
        county.start()
        await _provision(city, county)
        async with (
            services(city, city_db, ("projection", "duty", "outreach")),
            services(county, county_db, ("projection", "outreach"), SCOPE),
            client(city.url_for("gateway")) as at_city,
            client(county.url_for("gateway")) as at_county,
        ):
            await _register(at_city, CITY, "苏州市民政局", "bureau")
            await _register(at_city, SCOPE, "吴中区民政局", "county_office")
            await _register(at_city, town(COUNTY), "长桥街道", "township_office")
            await wait_until(partial(log_activity, at_county, COUNTY, 1), TIMEOUT, message="never joined")

            # The city rotates the county's leaf password. The hub's reload keeps a leaf link that is up
            # (nats-server re-checks a leaf's login only when it connects): at the next login, which the
            # dropped link forces, the old password is refused.
            old = read_leaf_credentials(leaf_credentials_file(city.data_dir, COUNTY))
            done = await asyncio.to_thread(
                subprocess.run,
                sanji("credentials", "rotate", leaf_user(COUNTY), "--data-dir", str(city_dir)),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            new = read_leaf_credentials(leaf_credentials_file(city.data_dir, COUNTY))
            assert new[0] == old[0]
            assert new[1] != old[1]
            await relay.cut()
            await relay.restore()
            await wait_until(
                lambda: _refused(city), TIMEOUT, message="the hub never refused the old password"
            )
            assert leaf_links(city) == 0

            # Both sides record meanwhile: the county its activities, the city new townships for it.
            for number in range(2, 5):
                assert await log_activity(at_county, COUNTY, number)
            for number in range(2, 4):
                await _register(at_city, _township(number), f"街道{number}", "township_office")

            # The county re-joins with the new password (the file the city rewrote).
            county.stop()
            county = county_server(tmp_path, city, COUNTY, relay)
            county.start()
            await wait_until(lambda: leaf_links(city) == 1, TIMEOUT, message="the county never re-joined")
            # Its services and clients reconnect to its restarted server; a repeat is answered, not stored.
            await wait_until(
                partial(log_activity, at_county, COUNTY, 5), TIMEOUT, message="county never back"
            )
            await wait_until(
                lambda: _converged(at_city, at_county), TIMEOUT, message="the sites never converged"
            )
        await _each_event_once(city, county)
    finally:
        await relay.close()
        county.stop()
        city.stop()


def _refused(city: NatsServer) -> bool:
    logged = city.log_path.read_text(errors="replace").lower()
    return any(words in logged for words in REFUSED)


async def _converged(at_city: SanjiClient, at_county: SanjiClient) -> bool:
    counted = [await activities(sanji, SCOPE) for sanji in (at_city, at_county)]
    return counted == [5, 5] and all([await _knows(at_county, _township(n)) for n in (2, 3)])


async def _each_event_once(city: NatsServer, county: NatsServer) -> None:
    """Every event once in each site's stream; the county's own all at the city, the city's unit
    registrations for the county all at the county."""
    found = {}
    for name, server in (("city", city), ("county", county)):
        nc = await connect(server.url, "test-check")
        try:
            found[name] = await stored_events(nc.jetstream())
        finally:
            await nc.close()
    for name, events in found.items():
        ids = [e.msg_id for e in events]
        assert len(ids) == len(set(ids)), name
    own = [e.msg_id for e in found["county"] if not e.subject.endswith(".city")]
    up = [e.msg_id for e in found["city"] if e.subject.endswith(f".c{COUNTY}")]
    assert up == own  # all, once, in the county's order
    came_down = {e.msg_id for e in found["county"] if e.subject.endswith(".city")}
    sent = {
        e.msg_id
        for e in found["city"]
        if e.kind == "duty.unit_registered"
        and e.subject.split(".")[5] == COUNTY
        and len(e.subject.split(".")) == 7
    }
    assert came_down == sent
    assert len(sent) == 4  # the county office, its first township, the two registered while rotating

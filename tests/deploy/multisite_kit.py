"""Sites joined on loopback for the partition test: a city hub and county leaf sites from the embedded
nats-server (services/eventkit/embedded/site_nats.py), each county's leaf link through a TCP relay the
test can cut and restore, and each site's services on a database of its own."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from nats.js import JetStreamContext

from contracts.subjects import EVENTS_STREAM
from services.eventkit.client import SanjiClient
from services.eventkit.embedded import NatsServer, free_port
from services.eventkit.embedded.site_nats import (
    CityHub,
    CountyLeaf,
    leaf_credentials_file,
    read_leaf_credentials,
)
from services.eventkit.positions import HEADER as POSITION_HEADER
from services.eventkit.runtime import ServiceRuntime
from services.eventkit.settings import ServiceSettings
from tests.stack import CITY_ADMIN, build

CITY = "3205"


@dataclass
class LinkRelay:
    """A TCP relay between a county's leaf remote and the hub: ``cut`` drops every connection and refuses
    new ones (the link is down; both servers keep running), ``restore`` listens again on the same port."""

    target_port: int
    port: int = field(default_factory=free_port)
    _server: asyncio.Server | None = None
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._join, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    async def _join(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers += [writer, up_writer]
        await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer))

    async def close(self) -> None:
        await self.cut()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


def city_server(root: Path, counties: tuple[str, ...]) -> NatsServer:
    return NatsServer(root / "city", server_name="sanji-city", site=CityHub(counties, free_port()))


def county_server(root: Path, city: NatsServer, county: str, relay: LinkRelay) -> NatsServer:
    """A county site whose leaf remote goes through ``relay``, with the credentials the city generated."""
    user, password = read_leaf_credentials(leaf_credentials_file(city.data_dir, county))
    site = CountyLeaf(county, f"127.0.0.1:{relay.port}", user, password)
    return NatsServer(root / f"c{county}", server_name=f"sanji-c{county}", site=site)


def site_settings(
    server: NatsServer, name: str, database_url: str, scope: str, county_sites: tuple[str, ...] = ()
) -> ServiceSettings:
    """One service's settings at a site: its own NATS user, the site's database and top unit."""
    return ServiceSettings(
        nats_url=server.url_for(name),
        database_url=database_url,
        http_port=0,
        pool_size=4,
        city=scope,
        county_sites=",".join(county_sites),
    )


@asynccontextmanager
async def services(
    server: NatsServer,
    database_url: str,
    names: tuple[str, ...],
    scope: str = CITY,
    county_sites: tuple[str, ...] = (),
) -> AsyncIterator[list[ServiceRuntime]]:
    """The named services of one site (its top unit ``scope``: the city or a county; a city hands
    ``county_sites`` their cases), each on its own NATS user, all on the site's database."""
    runtimes = [build(name, site_settings(server, name, database_url, scope, county_sites)) for name in names]
    started: list[ServiceRuntime] = []
    try:
        for runtime in runtimes:
            await runtime.start()
            started.append(runtime)
        yield runtimes
    finally:
        for runtime in reversed(started):
            await runtime.stop()


def leaf_links(city: NatsServer) -> int:
    """How many county leaf links the city's server has now (-1: its monitor did not answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", city.monitor_port, timeout=1)
    try:
        conn.request("GET", "/leafz")
        return int(json.loads(conn.getresponse().read()).get("leafnodes", 0))
    except (OSError, ValueError):
        return -1
    finally:
        conn.close()


def town(county: str) -> str:
    return f"{CITY}.{county}.{county}001"


async def log_activity(sanji: SanjiClient, county: str, number: int) -> bool:
    """One activity of the county's township, by its own command id (a repeat is answered, not stored)."""
    activity_id = f"act-{county}-{number:03}"
    body = {
        "activity_id": activity_id,
        "unit": town(county),
        "kind": "outreach_talk",
        "topic": "民法典进社区",
        "held_on": "2026-03-02",
        "audience": 10,
    }
    reply = await sanji.send("outreach.log_activity", body, CITY_ADMIN, command_id=f"cmd-{activity_id}")
    return reply.ok


async def activities(sanji: SanjiClient, path: str) -> int:
    answer = await sanji.query("projection.unit", {"path": path})
    return int(answer["result"]["subtree"].get("activities", 0)) if answer["ok"] else -1


class Stored(NamedTuple):
    subject: str
    msg_id: str
    kind: str
    position: str


async def stored_events(js: JetStreamContext) -> list[Stored]:
    """Every event in the site's stream, in order, with the headers its relay gave it."""
    total = (await js.stream_info(EVENTS_STREAM)).state.messages
    found = []
    for seq in range(1, total + 1):
        msg = await js.get_msg(EVENTS_STREAM, seq)
        headers = msg.headers or {}
        found.append(
            Stored(
                msg.subject or "",
                headers.get("Nats-Msg-Id", ""),
                headers.get("Sanji-Type", ""),
                headers.get(POSITION_HEADER, ""),
            )
        )
    return found

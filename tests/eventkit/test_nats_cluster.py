"""The city hub as a three-node JetStream cluster with the event stream replicated R3: the node leading the
stream is killed (SIGKILL, by PID) while commands keep coming, and nothing is lost or doubled while the
services carry on through the other two nodes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from nats.aio.client import Client as NatsClient
from nats.errors import Error as NatsError

from contracts.subjects import EVENTS_STREAM
from services.eventkit.busconnect import connect
from services.eventkit.embedded.nats_cluster import NatsCluster
from services.eventkit.streams import events_stream_config
from services.eventkit.streamsnap import own_message_ids
from tests.helpers import Sender, wait_until
from tests.outreach.support import activity, register_units
from tests.stack import CITY_ADMIN, client, running

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
COMMANDS = 80


@pytest.fixture
def cluster(server_dir: Path) -> Iterator[NatsCluster]:
    hub = NatsCluster(server_dir / "hub")
    hub.start()
    yield hub
    hub.stop()


async def stored_ids(database_url: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT event_id::text AS id FROM outreach.events UNION ALL SELECT event_id::text FROM duty.events"
        )
        return [row["id"] for row in rows]
    finally:
        await conn.close()


async def test_killing_the_stream_leader_under_load_loses_nothing(
    cluster: NatsCluster, database_url: str
) -> None:
    operator = await connect(cluster.url, "test-operator")
    js = operator.jetstream()
    config = events_stream_config()
    config.num_replicas = 3
    await js.add_stream(config=config)  # R3 before the services start (they accept it as it is)
    try:
        async with (
            running(cluster.url_for, database_url, "duty", "outreach", "projection"),
            client(cluster.url) as admin,
        ):
            await register_units(admin)
            gateway = Sender(partial(cluster.url_for, "gateway"), "gateway")
            sent: list[str] = []

            async def commands() -> None:
                for i in range(COMMANDS):
                    body = activity(f"cluster-activity-{i:04d}")
                    request = {
                        "body": body,
                        "actor": CITY_ADMIN.model_dump(mode="json"),
                        "commandid": f"cluster-{i:04d}",
                    }

                    async def send(nc: NatsClient, request: dict[str, Any] = request) -> dict[str, Any]:
                        reply = await nc.request(
                            "sanji.cmd.outreach.log_activity", json.dumps(request).encode(), timeout=5
                        )
                        return dict(json.loads(reply.data))

                    await gateway.request(send)
                    sent.append(body["activity_id"])

            load = asyncio.create_task(commands())
            await wait_until(lambda: len(sent) >= COMMANDS // 3, timeout=60, message=gateway.last_error)
            leader = (await js.stream_info(EVENTS_STREAM)).cluster
            assert leader is not None
            assert leader.leader
            killed = cluster.node(leader.leader)
            cluster.kill(killed)
            await asyncio.wait_for(load, 180)
            assert len(sent) == COMMANDS

            async def every_event_published_once() -> bool:
                stored = await stored_ids(database_url)
                try:  # the operator's own connection may still be moving off the killed node
                    info = await js.stream_info(EVENTS_STREAM)
                    published = await own_message_ids(operator, EVENTS_STREAM)
                except NatsError:
                    return False
                return info.state.messages == len(stored) and set(published) == set(stored)

            await wait_until(every_event_published_once, timeout=60, message="events lost or doubled")

            # The projection carried on: every projector's checkpoint reaches the stream's head, and it
            # answers queries again (its connections moved to a node listed in its NATS_URL).
            async def projected() -> bool:
                try:
                    head = (await js.stream_info(EVENTS_STREAM)).state.last_seq
                except NatsError:
                    return False
                conn = await asyncpg.connect(database_url)
                try:
                    seqs = await conn.fetch("SELECT seq FROM projection.stream_checkpoints")
                finally:
                    await conn.close()
                return bool(seqs) and all(row["seq"] == head for row in seqs)

            await wait_until(projected, timeout=60, message="the projection did not carry on")

            last_answer: list[object] = []

            async def answers() -> bool:
                answer = await admin.query("projection.unit", {"path": "3205"})
                last_answer[:] = [answer]
                return bool(answer.get("ok")) and answer["result"]["subtree"]["activities"] == COMMANDS + 1

            await wait_until(
                answers,
                timeout=60,
                message=lambda: f"the projection's queries did not come back: {last_answer}",
            )
            info = await js.stream_info(EVENTS_STREAM)
            assert info.cluster is not None
            assert info.cluster.leader != killed.server_name
            assert killed.pid is None  # it stayed dead: the two others carried everything
    finally:
        await operator.close()

"""`sanji credentials rotate`: a NATS user's new password takes effect at once, the old one is refused,
and under a stream of commands and ingest nothing is lost and nothing doubled across the rotations."""

from __future__ import annotations

import asyncio
import json
import subprocess
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest
from nats.aio.client import Client as NatsClient

from contracts.subjects import ingest_subject
from services.eventkit.embedded import NatsServer
from services.eventkit.runtime import ServiceRuntime
from tests.helpers import Sender, wait_until
from tests.outreach.support import TOWNSHIP, activity, register_units
from tests.stack import CITY_ADMIN, build, client, running, settings
from tests.up_process import sanji

COMMANDS, INGESTS = 60, 30  # commands from the gateway user, ingest requests from the elearning system


async def refused(url: str) -> bool:
    try:
        nc = await nats.connect(url, allow_reconnect=False, connect_timeout=5, max_reconnect_attempts=0)
    except Exception:
        return True
    await nc.close()
    return False


def test_the_cli_rotates_an_external_systems_password(server_dir: Path) -> None:
    server = NatsServer(server_dir / "nats")
    server.start()
    try:
        old = server.url_for("monitor")
        done = subprocess.run(
            sanji("credentials", "rotate", "monitor", "--data-dir", str(server_dir)),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        new = server.url_for("monitor")
        assert new != old
        assert new.split(":")[2].split("@")[0] in done.stdout  # shown once, for the system's operators
        assert asyncio.run(refused(old))
        assert not asyncio.run(refused(new))
        unknown = subprocess.run(
            sanji("credentials", "rotate", "mallory", "--data-dir", str(server_dir)),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert unknown.returncode == 1
        assert "no NATS user 'mallory'" in unknown.stderr
    finally:
        server.stop()


async def activity_events(database_url: str) -> dict[str, int]:
    """How many times each activity was logged (commands and imports; not register_units' probe)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT envelope->'data'->>'activity_id' AS id, count(*) AS n FROM outreach.events"
            " WHERE event_type = 'outreach.activity_logged' AND envelope->'data'->>'activity_id' !~ '^probe-'"
            " GROUP BY 1"
        )
        return {row["id"]: int(row["n"]) for row in rows}
    finally:
        await conn.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_rotating_a_service_the_gateway_and_a_system_under_load_loses_nothing(
    server_dir: Path, database_url: str
) -> None:
    server = NatsServer(server_dir / "nats")
    server.start()
    try:
        async with running(server.url_for, database_url, "duty", "projection"), client(server.url) as admin:
            outreach: ServiceRuntime = build("outreach", settings(server.url_for("outreach"), database_url))
            await outreach.start()
            await register_units(admin)
            gateway = Sender(partial(server.url_for, "gateway"), "gateway")
            elearning = Sender(partial(server.url_for, "elearning"), "elearning")
            sent: list[str] = []

            async def commands() -> None:
                for i in range(COMMANDS):
                    body = activity(f"rot-{i:04d}")
                    payload = {
                        "body": body,
                        "actor": CITY_ADMIN.model_dump(mode="json"),
                        "commandid": f"rotation-command-{i:04d}",
                    }

                    async def send(nc: NatsClient, payload: dict[str, Any] = payload) -> dict[str, Any]:
                        reply = await nc.request(
                            "sanji.cmd.outreach.log_activity", json.dumps(payload).encode(), timeout=5
                        )
                        return dict(json.loads(reply.data))

                    await gateway.request(send)
                    sent.append(f"rot-{i:04d}")

            async def ingests() -> None:
                for i in range(INGESTS):
                    row = {
                        "row": 1,
                        "external_id": f"EL-{i:05d}",
                        "unit": TOWNSHIP,
                        "kind": "training",
                        "topic": "培训",
                        "held_on": "2025-03-15",
                        "audience": 12,
                    }
                    body = {"source": "elearning", "unit": "3205.320506", "rows": [row]}
                    subject = ingest_subject("outreach", "activity", "elearning", "3205.320506")
                    request = json.dumps(
                        {"actor": {}, "commandid": f"rotation-ingest-{i:04d}", "body": body}
                    ).encode()

                    async def send(
                        nc: NatsClient, request: bytes = request, subject: str = subject
                    ) -> dict[str, Any]:
                        reply = await nc.request(subject, request, timeout=5)
                        return dict(json.loads(reply.data))

                    await elearning.request(send)

            load = asyncio.gather(commands(), ingests())
            await wait_until(
                lambda: len(sent) >= COMMANDS // 4,
                timeout=60,
                message=f"the load never started: {gateway.last_error}",
            )
            old = {user: server.url_for(user) for user in ("outreach", "gateway", "elearning")}
            # The service: the server drops its connection; it is started again with the new password, as
            # the supervisor of `sanji up` does after `sanji credentials rotate`.
            server.rotate_password("outreach")
            await outreach.stop()
            outreach = build("outreach", settings(server.url_for("outreach"), database_url))
            await outreach.start()
            await wait_until(
                lambda: len(sent) >= COMMANDS // 2, timeout=60, message="no progress after rotation"
            )
            server.rotate_password("gateway")
            server.rotate_password("elearning")
            await asyncio.wait_for(load, 120)
            for user, url in old.items():
                assert await refused(url), f"{user}'s old password still accepted"
            assert gateway.retries + elearning.retries > 0  # the rotations did cut the senders off
            await gateway.close()
            await elearning.close()

            stored: dict[str, int] = {}

            async def all_stored() -> bool:
                stored.update(await activity_events(database_url))
                return len(stored) == COMMANDS + INGESTS

            await wait_until(all_stored, timeout=60, message="activities lost across the rotations")
            assert set(sent) <= stored.keys()
            assert set(stored.values()) == {1}  # none doubled by the resends
            await outreach.stop()
    finally:
        server.stop()


def test_a_joined_sites_config_is_never_rewritten_as_a_plain_servers(server_dir: Path) -> None:
    folder = server_dir / "nats"
    folder.mkdir()
    joined = 'server_name: "city"\nleafnodes { listen: "127.0.0.1:7422" }\n'
    (folder / "nats.conf").write_text(joined)
    done = subprocess.run(
        sanji("credentials", "rotate", "gateway", "--data-dir", str(server_dir)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "is a joined site" in done.stderr
    assert (folder / "nats.conf").read_text() == joined

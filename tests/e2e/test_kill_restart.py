"""A real service process killed with SIGKILL in the middle of a stream of commands, then restarted:
every command is applied exactly once and every event reaches JetStream exactly once — whether the
kill hit before a commit, between commit and publish, or between publish and the relay checkpoint."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from services.eventkit.embedded import free_port
from tests.eventkit.rig import stream_event_ids
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client

pytestmark = pytest.mark.slow
COUNTIES = [f"3205.3205{n:02d}" for n in range(1, 41)]
TOWNSHIPS = [f"{county}.{county[-6:]}{t:03d}" for county in COUNTIES for t in range(1, 11)]


class ServiceProcess:
    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.env, self.log = name, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.cli.main", "service", self.name],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.env['SANJI_HTTP_PORT']}/readyz", timeout=1
            ) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def duty_process(nats_url: str, database_url: str, tmp_path: Path) -> Iterator[ServiceProcess]:
    env = {
        **os.environ,
        "NATS_URL": nats_url,
        "DATABASE_URL": database_url,
        "SANJI_HTTP_PORT": str(free_port()),
    }
    service = ServiceProcess("duty", env, tmp_path / "duty.log")
    yield service
    service.stop()


async def test_sigkill_mid_stream_loses_and_doubles_nothing(
    nats_url: str, database_url: str, duty_process: ServiceProcess
) -> None:
    duty_process.start()
    await wait_until(duty_process.ready, timeout=60, message="duty never became ready")
    async with client(nats_url) as sanji:
        sanji.timeout = 2.0

        async def register(path: str) -> None:
            kind = ("bureau", "county_office", "township_office")[path.count(".")]
            body = {"path": path, "name": f"单位{path[-3:]}", "kind": kind}
            while True:  # the same command id every time: a retry after a crash must not double it
                reply = await sanji.send(
                    "duty.register_unit", body, CITY_ADMIN, command_id=f"register-{path}"
                )
                if reply.ok:
                    return
                assert reply.error is not None
                assert reply.error.code == "unavailable", reply.error
                await asyncio.sleep(0.1)

        async def wave(paths: list[str], kill_after: int) -> None:
            queue = list(paths)
            done = 0

            async def worker() -> None:
                nonlocal done
                while queue:
                    await register(queue.pop(0))
                    done += 1

            async def killer() -> None:
                await wait_until(lambda: done >= kill_after, timeout=60)
                duty_process.kill()
                duty_process.start()

            await asyncio.gather(killer(), *(worker() for _ in range(8)))

        await register("3205")
        await wave(COUNTIES, kill_after=15)
        await wave(TOWNSHIPS, kill_after=150)

    expected = 1 + len(COUNTIES) + len(TOWNSHIPS)
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT stream_id, count(*) AS n FROM duty.events GROUP BY stream_id")
    finally:
        await conn.close()
    assert len(rows) == expected
    assert {row["n"] for row in rows} == {1}

    import nats

    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()

        async def all_relayed() -> bool:
            return (await js.stream_info("SANJI_EVENTS")).state.messages >= expected

        await wait_until(all_relayed, timeout=60, message="the restarted relay did not publish everything")
        in_stream = await stream_event_ids(js)
    finally:
        await nc.close()
    assert len(in_stream) == expected
    assert set(in_stream.values()) == {1}

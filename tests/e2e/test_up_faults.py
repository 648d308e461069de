"""`sanji up` under a steady load of commands through the gateway, retried with their Idempotency-Key as
a careful client does, while nats-server is SIGKILLed, then the PostgreSQL postmaster, then a service is
SIGSTOPped: each comes back without an operator, and every acknowledged command is counted once."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.cli.supervisor import recorded_process
from services.eventkit.embedded import free_port
from tests.helpers import wait_until
from tests.up_process import Up, alive, assert_every_log_line_is_json

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
TOKEN = "dev-city-admin"
CITY, COUNTY, TOWNSHIP = "3205", "3205.320506", "3205.320506.320506001"
CLIENTS = 4
RECOVERY = 180.0  # seconds for a fault to be noticed, the process restarted and commands acknowledged again


class CarefulClient:
    """Logs activities until stopped; each is retried with its own Idempotency-Key until acknowledged."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.acknowledged: list[str] = []
        self.retries = 0
        self.stop = asyncio.Event()

    async def send(self, context: str, name: str, body: dict[str, Any], key: str) -> None:
        while True:
            try:
                answer = await self.http.post(
                    f"/api/v1/commands/{context}/{name}", json=body, headers={"Idempotency-Key": key}
                )
            except httpx.TransportError:
                answer = None
            if answer is not None and answer.status_code == 200:
                return
            if answer is not None and answer.status_code < 500 and answer.status_code not in (404, 409, 429):
                raise AssertionError(f"{context}.{name} refused: {answer.status_code} {answer.text}")
            self.retries += 1  # unavailable, timed out, or the unit not learnt yet: the same key again
            await asyncio.sleep(0.2)

    async def log_activities(self) -> None:
        while not self.stop.is_set():
            activity = f"load-{uuid.uuid4().hex[:16]}"
            body = {
                "activity_id": activity,
                "unit": TOWNSHIP,
                "kind": "outreach_talk",
                "topic": "民法典进社区",
                "held_on": "2026-03-02",
                "audience": 10,
            }
            await self.send("outreach", "log_activity", body, activity)
            self.acknowledged.append(activity)


async def activities_in_views(http: httpx.AsyncClient) -> int:
    answer = await http.get(f"/api/v1/units/{CITY}")
    answer.raise_for_status()
    return int(answer.json()["subtree"]["activities"])


def first_line_pid(path: Path) -> int:
    return int(path.read_text().splitlines()[0])


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A folder of the run's own (not pytest's tmp, which other pytest runs may prune mid-test)."""
    folder = Path(tempfile.mkdtemp(prefix="sanji-faults-"))
    yield folder / "data"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def up(data_dir: Path) -> Iterator[Up]:
    run = Up(data_dir, free_port(), "up")
    yield run
    run.cleanup()


async def test_killed_servers_and_a_stopped_service_come_back_and_nothing_is_lost_or_doubled(up: Up) -> None:
    await up.wait_ready()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=up.url, headers=headers, timeout=15) as http:
        client = CarefulClient(http)
        for unit, kind in ((CITY, "bureau"), (COUNTY, "county_office"), (TOWNSHIP, "township_office")):
            await client.send(
                "duty", "register_unit", {"path": unit, "name": f"单位{unit}", "kind": kind}, f"unit-{unit}"
            )
        load = [asyncio.create_task(client.log_activities()) for _ in range(CLIENTS)]

        async def survives(fault: str, inject: Callable[[], int], is_replaced: Callable[[int], bool]) -> None:
            before = len(client.acknowledged)
            victim = inject()
            await wait_until(
                lambda: is_replaced(victim) and len(client.acknowledged) >= before + 50,
                timeout=RECOVERY,
                interval=0.5,
                message=f"{fault}: not back within {RECOVERY:.0f}s\n{up.output()[-4000:]}",
            )
            assert not alive(victim), f"{fault}: pid {victim} still runs"

        nats_pid = up.data_dir / "nats" / "nats.pid"
        postmaster_pid = up.data_dir / "pg" / "postmaster.pid"
        outreach_pid = up.data_dir / "run" / "service-outreach.pid"

        def recorded(path: Path) -> int:
            if path == outreach_pid:
                process = recorded_process(path)
                return process.pid if process is not None else 0
            try:
                return first_line_pid(path)
            except (OSError, ValueError, IndexError):
                return 0

        def signal_recorded(path: Path, sig: signal.Signals) -> Callable[[], int]:
            def inject() -> int:
                pid = recorded(path)
                assert pid, f"no live process recorded in {path}"
                os.kill(pid, sig)
                return pid

            return inject

        def replaced(path: Path) -> Callable[[int], bool]:
            return lambda old: recorded(path) not in (0, old) and alive(recorded(path))

        try:
            await wait_until(lambda: len(client.acknowledged) >= 50, timeout=RECOVERY, interval=0.5)
            for fault, path, sig in (
                ("SIGKILL nats-server", nats_pid, signal.SIGKILL),
                ("SIGKILL the postmaster", postmaster_pid, signal.SIGKILL),
                ("SIGSTOP outreach", outreach_pid, signal.SIGSTOP),
            ):
                await survives(fault, signal_recorded(path, sig), replaced(path))
        finally:
            client.stop.set()
            await asyncio.gather(*load)

        acknowledged = client.acknowledged
        assert len(acknowledged) == len(set(acknowledged))
        counted: list[int] = []

        async def all_counted_once() -> bool:
            counted.append(await activities_in_views(http))
            return counted[-1] == len(acknowledged)

        try:
            await wait_until(all_counted_once, timeout=RECOVERY, interval=0.5)
        except AssertionError:
            raise AssertionError(
                f"{len(acknowledged)} acknowledged, the views count {counted[-3:]}"
            ) from None
        assert await activities_in_views(http) == len(acknowledged)  # and no late duplicate arrives
        assert client.retries > 0  # the faults were felt by the client, and retrying was harmless

    output = up.output()
    for restarted in ("nats-server exited", "PostgreSQL exited", "outreach (pid"):
        assert restarted in output, output[-4000:]
    assert up.interrupt() == 0, output[-4000:]
    assert_every_log_line_is_json(up.data_dir)  # outages, restarts and shutdown logged as JSON too

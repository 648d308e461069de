"""`sanji up` and `sanji demo` as a person runs them: real subprocesses, real servers, Ctrl-C, restart."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from services.cli.supervisor import recorded_process, terminate
from services.eventkit.embedded import NatsServer, PostgresServer, free_port
from tests.helpers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
ACTIVITIES = 40
START_TIMEOUT = 240.0  # embedded servers + four services on a small machine


def sanji(*args: str) -> list[str]:
    return [sys.executable, "-m", "services.cli.main", *args]


class Up:
    """One `sanji up` subprocess whose output goes to a file the test can poll."""

    def __init__(self, data_dir: Path, port: int, name: str) -> None:
        self.data_dir, self.port = data_dir, port
        self.out = data_dir.parent / f"{name}.out"
        env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "DATABASE_URL")}
        env.update(SANJI_HTTP_PORT=str(port), COLUMNS="200")
        with self.out.open("wb") as out:
            self.proc = subprocess.Popen(
                sanji("up", "--data-dir", str(data_dir)), stdout=out, stderr=subprocess.STDOUT, env=env
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    async def wait_ready(self) -> None:
        async with httpx.AsyncClient(timeout=2) as client:

            async def ready() -> bool:
                if self.proc.poll() is not None:
                    raise AssertionError(f"sanji up exited with {self.proc.returncode}:\n{self.output()}")
                try:
                    return (await client.get(f"{self.url}/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_until(ready, timeout=START_TIMEOUT, interval=0.5, message="gateway never ready")
        await wait_until(lambda: "Ctrl-C to stop" in self.output(), timeout=30, message="no summary printed")

    def pids(self) -> set[int]:
        """Every PID the run printed or recorded: the services and the embedded servers."""
        printed = {int(p) for p in re.findall(r"\(pid (\d+)\)", self.output())}
        recorded = {
            p.pid for f in (self.data_dir / "run").glob("service-*.pid") if (p := recorded_process(f))
        }
        servers = set()
        for pid_file in (self.data_dir / "nats" / "nats.pid", self.data_dir / "pg" / "postmaster.pid"):
            servers.add(int(pid_file.read_text().splitlines()[0]))
        return printed | recorded | servers

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=120)

    def cleanup(self) -> None:
        """After a failed test: leave no process behind (all by recorded PID)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid_file in (self.data_dir / "run").glob("service-*.pid"):
            if (leftover := recorded_process(pid_file)) is not None:
                terminate(leftover.pid, timeout=10)
        NatsServer(self.data_dir / "nats").stop()
        PostgresServer(self.data_dir / "pg").stop()


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[list[Up]]:
    started: list[Up] = []
    yield started
    for run in started:
        run.cleanup()


async def city(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(
            f"{url}/api/v1/units/3205", headers={"Authorization": "Bearer dev-city-admin"}
        )
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found


def assert_adds_up(found: dict[str, Any]) -> None:
    own = found["own"]["activities"]
    children = sum(child["subtree"]["activities"] for child in found["children"])
    assert found["subtree"]["activities"] == own + children == ACTIVITIES


async def test_up_demo_ctrl_c_and_up_again_keeps_the_data(tmp_path: Path, runs: list[Up]) -> None:
    data_dir, port = tmp_path / "sanji-data", free_port()
    first = Up(data_dir, port, "first")
    runs.append(first)
    await first.wait_ready()
    listed = await asyncio.to_thread(
        subprocess.run,
        sanji("tokens", "list", "--data-dir", str(data_dir)),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    assert re.search(r"dev-admin@3205\s+3205\s.*\sactive", listed.stdout), listed.stdout
    for name in ("projection", "duty", "outreach", "gateway"):
        assert (data_dir / "logs" / f"{name}.log").exists()

    second_up = await asyncio.to_thread(
        subprocess.run,
        sanji("up", "--data-dir", str(data_dir)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second_up.returncode == 1
    assert f"sanji up already runs on this data dir as pid {first.proc.pid}" in second_up.stderr

    clean_env = {k: v for k, v in os.environ.items() if k not in ("SANJI_TOKEN", "SANJI_URL")}
    demo = await asyncio.to_thread(
        subprocess.run,
        sanji("demo", "--url", first.url, "--activities", str(ACTIVITIES)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=clean_env,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "OK: subtree 40" in demo.stdout
    assert_adds_up(await city(first.url))

    pids = first.pids()
    assert len(pids) >= 6  # four services, NATS, PostgreSQL
    assert first.interrupt() == 0, first.output()
    assert [pid for pid in pids if alive(pid)] == []
    assert "stopped." in first.output()
    nats_port, pg_port = (data_dir / "nats" / "port").read_text(), (data_dir / "pg" / "port").read_text()

    second = Up(data_dir, port, "second")
    runs.append(second)
    await second.wait_ready()
    assert (data_dir / "nats" / "port").read_text() == nats_port  # same URLs after a restart
    assert (data_dir / "pg" / "port").read_text() == pg_port
    assert f"nats://127.0.0.1:{nats_port.strip()}" in second.output()
    assert_adds_up(await city(second.url))  # the data survived the restart
    second_pids = second.pids()
    assert second.interrupt() == 0, second.output()
    assert [pid for pid in second_pids if alive(pid)] == []

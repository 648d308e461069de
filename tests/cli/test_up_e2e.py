"""`sanji up` and `sanji demo` as a person runs them: real subprocesses, real servers, Ctrl-C, restart."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services import registry
from services.eventkit.embedded import free_port
from tests.up_process import Up, alive, sanji

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
ACTIVITIES = 40


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
    for name in registry.names():
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

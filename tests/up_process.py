"""`sanji up` as a person runs it, for tests: a real subprocess whose output goes to a file."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil

from services import registry
from services.cli.supervisor import recorded_process, terminate
from services.eventkit.embedded import NatsServer, PostgresServer
from tests.helpers import wait_until

START_TIMEOUT = 240.0  # embedded servers + every service on a small machine


def sanji(*args: str) -> list[str]:
    return [sys.executable, "-m", "services.cli.main", *args]


class Up:
    """One `sanji up` subprocess whose output goes to a file the test can poll."""

    def __init__(self, data_dir: Path, port: int, name: str, *options: str) -> None:
        self.data_dir, self.port = data_dir, port
        self.out = data_dir.parent / f"{name}.out"
        env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "DATABASE_URL")}
        env.update(SANJI_HTTP_PORT=str(port), COLUMNS="200")
        with self.out.open("wb") as out:
            self.proc = subprocess.Popen(
                sanji("up", "--data-dir", str(data_dir), *options),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
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


def lines_that_are_not_json_objects(log: Path) -> list[str]:
    bad = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not {"time", "level", "message", "service"} <= parsed.keys():
            bad.append(line)
    return bad


def assert_every_log_line_is_json(data_dir: Path) -> None:
    logs = {info.name: data_dir / "logs" / f"{info.name}.log" for info in registry.SERVICES}
    bad = {name: lines_that_are_not_json_objects(log)[:5] for name, log in logs.items()}
    assert {name: lines for name, lines in bad.items() if lines} == {}
    assert all(log.stat().st_size > 0 for log in logs.values())  # each service did log something

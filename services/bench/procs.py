"""Service processes for the benchmark: each Sanji service in its own OS process, as deployed, so
that its resident memory can be read on its own."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from services.eventkit.embedded import free_port

CLI_SERVICE_MODULE = "services.cli.service_cmd"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


class ServiceError(RuntimeError):
    """A service process did not become ready, or died."""


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class ServiceProcess:
    """One service in a child process of its own, stopped by its own PID only."""

    def __init__(self, name: str, nats_url: str, database_url: str, log_dir: Path) -> None:
        self.name, self.nats_url, self.database_url = name, nats_url, database_url
        self.log_path = log_dir / f"{name}.log"
        self.http_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        """``sanji service <name>`` as production runs it; the bench's own runner when profiling or
        when the CLI has no ``service`` command."""
        if os.environ.get("SANJI_BENCH_PROFILE") or importlib.util.find_spec(CLI_SERVICE_MODULE) is None:
            return [sys.executable, "-m", "services.bench.serve", self.name]
        return [sys.executable, "-m", "services.cli.main", "service", self.name]

    def start(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        env = os.environ | {
            "NATS_URL": self.nats_url,
            "DATABASE_URL": self.database_url,
            "SANJI_HTTP_HOST": "127.0.0.1",
            "SANJI_HTTP_PORT": str(self.http_port),
        }
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )

    def _alive(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            raise ServiceError(f"{self.name} is not running:\n{log_tail(self.log_path)}")
        return self.proc

    async def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:  # noqa: ASYNC109 - a polling deadline
        """Poll /readyz until the service answers 200 (database, NATS and its workers all up)."""
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.http_port}/readyz"
        async with httpx.AsyncClient(timeout=2.0) as http:
            while True:
                self._alive()
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(url)).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise ServiceError(
                        f"{self.name} not ready within {timeout:.0f}s:\n{log_tail(self.log_path)}"
                    )
                await asyncio.sleep(0.1)

    async def stop(self) -> None:
        """SIGTERM (the service drains and stops cleanly), SIGKILL if it has not exited in time."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(proc.wait, STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            await asyncio.to_thread(proc.wait, STOP_TIMEOUT)

    def cpu_seconds(self) -> float:
        """CPU time the service process has used so far."""
        return cpu_seconds(self._alive().pid, with_children=False)

    def rss_bytes(self) -> int:
        """Resident set size of the service process now."""
        return int(psutil.Process(self._alive().pid).memory_info().rss)


def cpu_seconds(pid: int, *, with_children: bool) -> float:
    """CPU time (user + system) of a process, and with ``with_children`` of all its children too."""
    proc = psutil.Process(pid)
    times = proc.cpu_times()
    total = times.user + times.system
    if not with_children:
        return total
    total += times.children_user + times.children_system  # children already reaped
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a backend may exit while we look
            child_times = child.cpu_times()
            total += child_times.user + child_times.system
    return total


class CpuMeter:
    """Where the CPU went during one phase: cores used by each process (CPU seconds / wall seconds).

    ``trees`` names the processes measured with their children (PostgreSQL and its backends).
    """

    def __init__(self, pids: dict[str, int], trees: frozenset[str] = frozenset({"postgres"})) -> None:
        self.pids, self.trees = pids, trees
        self.started = time.perf_counter()
        self.before = {name: self._seconds(name) for name in pids}

    def _seconds(self, name: str) -> float:
        return cpu_seconds(self.pids[name], with_children=name in self.trees)

    def cores(self) -> dict[str, float]:
        wall = time.perf_counter() - self.started
        used = {name: (self._seconds(name) - self.before[name]) / wall for name in self.pids}
        return {name: round(value, 2) for name, value in used.items()} | {
            "total": round(sum(used.values()), 2)
        }

"""Child processes for the embedded servers: free ports, PID checks, and the shared start/stop
bookkeeping (signalled by PID only, never by name)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import signal
import socket
import subprocess
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import psutil

_T = TypeVar("_T")
log = logging.getLogger(__name__)

START_TIMEOUT = 15.0  # seconds until a server must accept work
STOP_TIMEOUT = 15.0  # seconds of graceful shutdown before SIGKILL
PG_SYSTEM_USER = "sanjipg"  # PostgreSQL refuses to run as root; this user runs it instead
POLL = 0.05
PORT_FILE = "port"


class EmbeddedServerError(RuntimeError):
    """A bundled server could not be located, started or stopped."""


# --- small helpers --------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now and not the gateway's: SANJI_HTTP_PORT is promised to
    the gateway, which binds it last, so a server or service started before it must not take it (seen: a
    service's /metrics on the port a test had chosen for the gateway, and the gateway refused to start)."""
    promised = os.environ.get("SANJI_HTTP_PORT", "")
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if str(port) != promised:
            return port


def port_is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Both servers set SO_REUSEADDR, so TIME_WAIT leftovers of a previous run do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def tcp_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def choose_port(data_dir: Path, requested: int | None) -> int:
    """The requested port, else the one remembered from an earlier run if still free, else a new one."""
    if requested is not None:
        return requested
    try:
        remembered = int((data_dir / PORT_FILE).read_text().strip())
    except (OSError, ValueError):
        remembered = 0
    if remembered and port_is_free(remembered):
        return remembered
    return free_port()


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def run_in_fresh_loop(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion from synchronous code.

    asyncio.run() refuses to nest inside a running loop, and start()/restart() are called from async
    tests and async CLI code, so the coroutine gets its own loop on a short-lived thread.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def process_is(pid: int, name_prefix: str, marker: str) -> bool:
    """Whether pid is alive, named name_prefix*, and mentions marker (our data/config path) in argv."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return proc.name().startswith(name_prefix) and marker in proc.cmdline()
    except psutil.Error:
        return False


def wait_pid_gone(pid: int, timeout: float) -> bool:
    """Wait for a process we did not spawn (so cannot waitpid) to exit."""
    try:
        psutil.Process(pid).wait(timeout)
    except psutil.NoSuchProcess:
        return True
    except psutil.TimeoutExpired:
        return False
    return True


class ChildProcess:
    """Shared bookkeeping for a server process spawned in its own session (process group)."""

    _proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """PID of the running server process started by this object, or None."""
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return None

    @property
    def running(self) -> bool:
        return self.pid is not None

    def exit_code(self) -> int | None:
        """The status the started server exited with (negative: killed by that signal); None while it runs."""
        return self._proc.poll() if self._proc is not None else None

    def _leftover_pid(self) -> int | None:
        """PID of a live server on our data dir that this object did not start (e.g. a crashed parent's)."""
        return None

    def _signal_stop(self, graceful: signal.Signals, timeout: float) -> None:
        pid = self.pid or self._leftover_pid()
        if pid is None:
            self._proc = None
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, graceful)
        if not self._wait_exit(pid, timeout):
            self._hard_kill(pid)
        self._proc = None

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        return wait_pid_gone(pid, timeout)

    def _hard_kill(self, pid: int) -> None:
        # The server was started with start_new_session=True, so its process group holds only it and
        # its own children (PostgreSQL backends); killing the group leaves no orphan holding shared memory.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        self._wait_exit(pid, STOP_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL the server (crash simulation). Its data dir is left exactly as a crash leaves it."""
        pid = self.pid
        if pid is not None:
            self._hard_kill(pid)
        self._proc = None

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def restart(self) -> None:
        """Stop, then start again on the same port and data directory."""
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

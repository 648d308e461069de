"""A tiny process supervisor for `sanji up`: start children in order, wait until each is ready,
restart one that dies (a bounded number of times), and stop them all by PID.

Children run in their own session, so a Ctrl-C in the terminal reaches only `sanji up`, which then
stops them in reverse start order: SIGTERM, a grace period, SIGKILL.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from services.eventkit.embedded import wait_pid_gone

READY_TIMEOUT = 90.0  # seconds for a service to migrate, connect and answer /readyz
STOP_TIMEOUT = 15.0  # seconds of graceful shutdown before SIGKILL
RESTART_LIMIT = 5  # restarts of one child ...
RESTART_WINDOW = 60.0  # ... within this many seconds, before giving up
POLL = 0.2
TAIL_LINES = 30


class SupervisorError(RuntimeError):
    """A child could not be started, never became ready, or kept dying."""


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: Sequence[str]
    env: dict[str, str]
    log_path: Path
    ready: Callable[[], bool]  # probe: True once the child serves (e.g. /readyz answers 200)
    pid_path: Path | None = None  # where the PID is recorded while the child runs


class RestartBudget:
    """At most ``limit`` restarts within any ``window`` seconds."""

    def __init__(
        self,
        limit: int = RESTART_LIMIT,
        window: float = RESTART_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._restarts: deque[float] = deque()

    def allow(self) -> bool:
        """Whether one more restart fits in the budget; if so, it is counted."""
        now = self.clock()
        while self._restarts and now - self._restarts[0] >= self.window:
            self._restarts.popleft()
        if len(self._restarts) >= self.limit:
            return False
        self._restarts.append(now)
        return True


def log_tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last lines of a log file, for error messages."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


def write_pid_file(path: Path, pid: int) -> None:
    """Record pid with its start time, so a later reader can tell a reused PID from the same process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "started": psutil.Process(pid).create_time()}))


def recorded_process(path: Path) -> psutil.Process | None:
    """The live process recorded in a pid file, or None (no file, gone, or the PID now belongs to another)."""
    try:
        record = json.loads(path.read_text())
        process = psutil.Process(int(record["pid"]))
        if process.create_time() != record["started"] or process.status() == psutil.STATUS_ZOMBIE:
            return None
    except (OSError, ValueError, KeyError, TypeError, psutil.Error):
        return None
    return process


def terminate(pid: int, timeout: float = STOP_TIMEOUT, wait: Callable[[float], bool] | None = None) -> None:
    """SIGTERM pid, wait up to timeout, then SIGKILL its process group (it leads its own session)."""
    waiter = wait or (lambda seconds: wait_pid_gone(pid, seconds))
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if waiter(timeout):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    waiter(timeout)


class Child:
    """One supervised process: started, probed, stopped."""

    def __init__(self, spec: ChildSpec, budget: RestartBudget) -> None:
        self.spec, self.budget = spec, budget
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> None:
        self.spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.spec.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                list(self.spec.argv),
                env=self.spec.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the supervisor, which stops children in order
            )
        self.starts += 1
        if self.spec.pid_path is not None:
            with contextlib.suppress(psutil.Error):  # it may already have died; the watcher sees that
                write_pid_file(self.spec.pid_path, self.proc.pid)

    def exit_code(self) -> int | None:
        """None while running (or never started), else the exit status."""
        return self.proc.poll() if self.proc is not None else None

    def stop(self, timeout: float) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:

            def wait(seconds: float) -> bool:
                try:
                    proc.wait(seconds)
                except subprocess.TimeoutExpired:
                    return False
                return True

            terminate(proc.pid, timeout, wait)
        if self.spec.pid_path is not None:
            self.spec.pid_path.unlink(missing_ok=True)


class Supervisor:
    """Starts children in the given order and keeps them running until asked to stop."""

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        stop_event: threading.Event | None = None,
        report: Callable[[str], None] = print,
        ready_timeout: float = READY_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
        restart_limit: int = RESTART_LIMIT,
        restart_window: float = RESTART_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        poll: float = POLL,
    ) -> None:
        self.children = [Child(spec, RestartBudget(restart_limit, restart_window, clock)) for spec in specs]
        self.stop_event = stop_event or threading.Event()
        self.report = report
        self.ready_timeout, self.stop_timeout, self.poll = ready_timeout, stop_timeout, poll

    def request_stop(self) -> None:
        """Ask start_all()/watch() to return; safe from signal handlers and other threads."""
        self.stop_event.set()

    @property
    def stopping(self) -> bool:
        return self.stop_event.is_set()

    def pids(self) -> dict[str, int]:
        return {child.spec.name: child.pid for child in self.children if child.pid is not None}

    def start_all(self) -> None:
        """Start each child and wait until it is ready before starting the next."""
        for child in self.children:
            if self.stopping:
                return
            self.report(f"starting {child.spec.name} …")
            child.start()
            self._await_ready(child)

    def watch(self) -> None:
        """Until a stop is requested: restart any child that exits; raise once one exceeds its budget."""
        while not self.stop_event.wait(self.poll):
            for child in self.children:
                code = child.exit_code()
                if code is None or self.stopping:
                    continue
                name = child.spec.name
                if not child.budget.allow():
                    raise SupervisorError(
                        f"{name} exited with status {code} and was already restarted "
                        f"{child.budget.limit} times within {child.budget.window:.0f}s; giving up.\n"
                        f"last lines of {child.spec.log_path}:\n{log_tail(child.spec.log_path)}"
                    )
                self.report(f"{name} exited with status {code}; restarting it (log: {child.spec.log_path})")
                child.start()
                if self._await_ready(child, restarting=True):
                    self.report(f"{name} is running again (pid {child.pid})")

    def stop_all(self) -> None:
        """Stop every child, the last started first."""
        for child in reversed(self.children):
            child.stop(self.stop_timeout)

    def _await_ready(self, child: Child, *, restarting: bool = False) -> bool:
        """True once the child is ready; False if a stop was requested or a restarted child died again."""
        deadline = time.monotonic() + self.ready_timeout
        name, log_path = child.spec.name, child.spec.log_path
        while not self.stopping:
            if _probe(child.spec.ready):
                return True
            code = child.exit_code()
            if code is not None:
                if restarting:
                    return False  # watch() sees the exit and charges the restart budget
                raise SupervisorError(
                    f"{name} exited with status {code} during start.\n"
                    f"last lines of {log_path}:\n{log_tail(log_path)}"
                )
            if time.monotonic() > deadline:
                raise SupervisorError(
                    f"{name} was not ready within {self.ready_timeout:.0f}s.\n"
                    f"last lines of {log_path}:\n{log_tail(log_path)}"
                )
            self.stop_event.wait(self.poll)
        return False


def _probe(ready: Callable[[], bool]) -> bool:
    try:
        return ready()
    except Exception:  # a probe that fails is simply "not ready yet"
        return False

"""The children `sanji up` supervises: service processes (with their probes) and embedded servers,
and the PID-only ways to stop them."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psutil

from services.eventkit.embedded import EmbeddedServerError, NatsServer, PostgresServer, wait_pid_gone

STOP_TIMEOUT = 15.0  # seconds of graceful shutdown before SIGKILL
TAIL_LINES = 30
PROBE_TIMEOUT = 5.0  # a loaded machine may take seconds to answer; readiness itself waits up to 2 s


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
    answers: Callable[[], bool] | None = None  # probe: True while the child answers at all (hang watch)
    # Settings read again at every (re)start over ``env``: a rotated NATS password reaches the restarted child.
    fresh_env: Callable[[], dict[str, str]] | None = None


class Supervised(Protocol):
    """What the supervisor needs of a child: a service process or an embedded server."""

    @property
    def name(self) -> str: ...
    @property
    def log_path(self) -> Path: ...
    @property
    def pid(self) -> int | None: ...
    @property
    def starts(self) -> int: ...

    def start(self) -> None: ...
    def exit_code(self) -> int | None: ...
    def ready(self) -> bool: ...
    def answering(self) -> bool | None: ...  # None: not watched for hangs
    def kill(self) -> None: ...
    def stop(self, timeout: float) -> None: ...


def http_status(port: int, path: str = "/readyz", timeout: float = PROBE_TIMEOUT) -> int | None:
    """The status http://127.0.0.1:port<path> answers with, or None when it gives no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


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


def kill_hard(pid: int) -> None:
    """SIGKILL pid, and its process group when it leads one (a child started in its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)


def terminate(pid: int, timeout: float = STOP_TIMEOUT, wait: Callable[[float], bool] | None = None) -> None:
    """SIGTERM pid, wait up to timeout, then SIGKILL its process group (it leads its own session)."""
    waiter = wait or (lambda seconds: wait_pid_gone(pid, seconds))
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if waiter(timeout):
        return
    kill_hard(pid)
    waiter(timeout)


class Child:
    """One supervised service process: started, probed, stopped."""

    def __init__(self, spec: ChildSpec) -> None:
        self.spec = spec
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def log_path(self) -> Path:
        return self.spec.log_path

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def ready(self) -> bool:
        return _probe(self.spec.ready)

    def answering(self) -> bool | None:
        return None if self.spec.answers is None else _probe(self.spec.answers)

    def start(self) -> None:
        self.spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.spec.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                list(self.spec.argv),
                env=self.spec.env | (self.spec.fresh_env() if self.spec.fresh_env else {}),
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

    def kill(self) -> None:
        """SIGKILL by PID (a stopped process dies too) and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            kill_hard(self.proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(STOP_TIMEOUT)

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


def _probe(ready: Callable[[], bool]) -> bool:
    try:
        return ready()
    except Exception:  # a probe that fails is simply "not ready yet"
        return False


class ServerChild:
    """An embedded nats-server or PostgreSQL under the supervisor: restarted when it dies, like a service."""

    def __init__(self, name: str, server: NatsServer | PostgresServer) -> None:
        self.server = server
        self._name = name
        self.starts = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def log_path(self) -> Path:
        return self.server.log_path

    @property
    def pid(self) -> int | None:
        return self.server.pid

    def start(self) -> None:
        """Start the server and wait until it serves (a restart clears what a killed one left behind)."""
        self.starts += 1
        try:
            self.server.start()
        except EmbeddedServerError as error:
            raise SupervisorError(f"{self.name} could not start: {error}") from None

    def exit_code(self) -> int | None:
        if self.starts == 0 or self.server.running:
            return None
        code = self.server.exit_code()
        return -1 if code is None else code  # -1: a failed start left no process behind, so no status

    def ready(self) -> bool:
        return self.server.running

    def answering(self) -> bool | None:
        return None  # start() waits for the server itself; afterwards only its exit is watched

    def kill(self) -> None:
        self.server.kill()

    def stop(self, timeout: float) -> None:
        self.server.stop()

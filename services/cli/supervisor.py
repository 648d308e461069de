"""A tiny process supervisor for `sanji up`: start children in order, wait until each is ready,
restart one that dies, stops answering or is not ready again in time after a restart (a bounded number
of times), and stop them all by PID.

Children run in their own session, so a Ctrl-C in the terminal reaches only `sanji up`, which then
stops them in reverse start order: SIGTERM, a grace period, SIGKILL.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from services.cli.children import (
    STOP_TIMEOUT,
    Child,
    ChildSpec,
    Supervised,
    SupervisorError,
    log_tail,
    recorded_process,
    terminate,
    write_pid_file,
)

# Re-exported: `sanji up` and the tests import these from here.
__all__ = [
    "ChildSpec",
    "RestartBudget",
    "Supervisor",
    "SupervisorError",
    "recorded_process",
    "terminate",
    "write_pid_file",
]

READY_TIMEOUT = 90.0  # seconds for a service to migrate, connect and answer /readyz
RESTART_LIMIT = 5  # restarts of one child ...
RESTART_WINDOW = 60.0  # ... within this many seconds, before giving up
POLL = 0.2
# A child that gives no answer at all (not even 503) for this long is hung, e.g. SIGSTOPped: it is killed
# by PID and started again. A 503 is an answer: a service waiting for PostgreSQL is not hung.
UNRESPONSIVE_AFTER = 20.0
PROBE_EVERY = 2.0  # seconds between two liveness probes of one child


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


class Supervisor:
    """Starts children in the given order and keeps them running until asked to stop."""

    def __init__(
        self,
        children: Sequence[ChildSpec | Supervised],
        *,
        stop_event: threading.Event | None = None,
        report: Callable[[str], None] = print,
        ready_timeout: float = READY_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
        restart_limit: int = RESTART_LIMIT,
        restart_window: float = RESTART_WINDOW,
        unresponsive_after: float = UNRESPONSIVE_AFTER,
        probe_every: float = PROBE_EVERY,
        clock: Callable[[], float] = time.monotonic,
        poll: float = POLL,
    ) -> None:
        self.children: list[Supervised] = [Child(c) if isinstance(c, ChildSpec) else c for c in children]
        self.budgets = {c.name: RestartBudget(restart_limit, restart_window, clock) for c in self.children}
        self.stop_event = stop_event or threading.Event()
        self.report = report
        self.ready_timeout, self.stop_timeout, self.poll = ready_timeout, stop_timeout, poll
        self.unresponsive_after, self.probe_every, self.clock = unresponsive_after, probe_every, clock
        # child → when the probes it has failed in a row began; a pause in probing (another child's
        # restart) must not count as silence, so the window runs from the first unanswered probe.
        self._silent_since: dict[str, float] = {}
        self._probed: dict[str, float] = {}  # child → when it was last probed
        # child → by when a restarted child must be ready. A restart does not wait for readiness: while one
        # child starts, another (the nats-server it needs) may die, and must be restarted meanwhile.
        self._recovering: dict[str, float] = {}

    def request_stop(self) -> None:
        """Ask start_all()/watch() to return; safe from signal handlers and other threads."""
        self.stop_event.set()

    @property
    def stopping(self) -> bool:
        return self.stop_event.is_set()

    def pids(self) -> dict[str, int]:
        return {child.name: child.pid for child in self.children if child.pid is not None}

    def start_all(self, before_start: Callable[[str], None] = lambda _name: None) -> None:
        """Start each child and wait until it is ready before starting the next; ``before_start(name)``
        runs first (e.g. what the gateway needs in the database once PostgreSQL is up)."""
        for child in self.children:
            if self.stopping:
                return
            before_start(child.name)
            self.report(f"starting {child.name} …")
            child.start()
            self._await_ready(child)

    def watch(self) -> None:
        """Until a stop is requested: restart a child that exits or hangs; raise once one exceeds its budget."""
        while not self.stop_event.wait(self.poll):
            for child in self.children:
                if self.stopping:
                    return
                code = child.exit_code()
                if code is not None:
                    self._restart(child, f"{child.name} exited with status {code}")
                elif child.name in self._recovering:
                    self._check_recovery(child)
                elif self._hung(child):
                    self._restart(
                        child,
                        f"{child.name} (pid {child.pid}) has not answered for {self.unresponsive_after:.0f}s",
                        kill=True,
                    )

    def stop_all(self) -> None:
        """Stop every child, the last started first."""
        for child in reversed(self.children):
            child.stop(self.stop_timeout)

    def _hung(self, child: Supervised) -> bool:
        """Whether the child has given no answer for unresponsive_after seconds (probed every probe_every)."""
        now = self.clock()
        if now - self._probed.get(child.name, float("-inf")) < self.probe_every:
            return False
        self._probed[child.name] = now
        if child.answering() is not False:
            self._silent_since.pop(child.name, None)
            return False
        return now - self._silent_since.setdefault(child.name, now) >= self.unresponsive_after

    def _restart(self, child: Supervised, what: str, *, kill: bool = False) -> None:
        budget = self.budgets[child.name]
        if not budget.allow():
            raise SupervisorError(
                f"{what} and was already restarted {budget.limit} times within {budget.window:.0f}s; "
                f"giving up.\nlast lines of {child.log_path}:\n{log_tail(child.log_path)}"
            )
        self.report(f"{what}; restarting it (log: {child.log_path})")
        if kill:
            child.kill()
        try:
            child.start()
        except SupervisorError as error:  # it is still down: the next round sees that and tries again
            self.report(f"{child.name} did not start again: {error}")
            return
        self._silent_since.pop(child.name, None)
        self._recovering[child.name] = self.clock() + self.ready_timeout
        self._check_recovery(child)

    def _check_recovery(self, child: Supervised) -> None:
        """A restarted child: reported once ready; killed and started again if not ready in time."""
        if child.ready():
            del self._recovering[child.name]
            self.report(f"{child.name} is running again (pid {child.pid})")
        elif self.clock() > self._recovering[child.name]:
            del self._recovering[child.name]
            what = f"{child.name} (pid {child.pid}) was not ready within {self.ready_timeout:.0f}s"
            self._restart(child, what, kill=True)

    def _await_ready(self, child: Supervised) -> bool:
        """True once a starting child is ready; False if a stop was requested."""
        deadline = time.monotonic() + self.ready_timeout
        name, log_path = child.name, child.log_path
        while not self.stopping:
            if child.ready():
                return True
            code = child.exit_code()
            if code is not None:
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

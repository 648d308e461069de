"""A restarted child does not hold up the watch: a server that dies while a service restarts is restarted
meanwhile (the fault campaign found `sanji up` giving up: the projection, restarting, waited for the
nats-server it needed, which died meanwhile and was not watched); a restarted child never ready is restarted."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.cli.supervisor import Supervisor
from tests.helpers import wait_until


class FakeChild:
    """A supervised child in memory: started, killed or dead as the test says."""

    def __init__(self, name: str, ready: Callable[[], bool] = lambda: True) -> None:
        self._name, self._ready = name, ready
        self.alive, self.starts = False, 0
        self.code: int | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def log_path(self) -> Path:
        return Path(f"/nonexistent/{self._name}.log")

    @property
    def pid(self) -> int | None:
        return 100 + self.starts if self.alive else None

    def start(self) -> None:
        self.starts += 1
        self.alive, self.code = True, None

    def exit_code(self) -> int | None:
        return self.code

    def ready(self) -> bool:
        return self.alive and self._ready()

    def answering(self) -> bool | None:
        return None

    def die(self) -> None:
        self.alive, self.code = False, -9

    def kill(self) -> None:
        self.die()

    def stop(self, timeout: float) -> None:
        self.alive = False


@pytest.fixture
def watching() -> Iterator[Callable[[Supervisor], list[BaseException]]]:
    """Run a supervisor's watch in a thread; what it raised is collected; stopped afterwards."""
    started: list[tuple[Supervisor, threading.Thread]] = []
    raised: list[BaseException] = []

    def watch(supervisor: Supervisor) -> list[BaseException]:
        def run() -> None:
            try:
                supervisor.watch()
            except BaseException as error:  # the test asserts on it
                raised.append(error)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        started.append((supervisor, thread))
        return raised

    yield watch
    for supervisor, thread in started:
        supervisor.request_stop()
        thread.join(10)


async def test_a_server_dying_while_a_service_restarts_is_restarted_meanwhile(
    watching: Callable[[Supervisor], list[BaseException]],
) -> None:
    started_up = threading.Event()
    server = FakeChild("nats-server")
    service = FakeChild("projection", ready=lambda: server.alive and started_up.is_set())
    reports: list[str] = []
    supervisor = Supervisor([server, service], report=reports.append, poll=0.01, ready_timeout=5)
    started_up.set()
    supervisor.start_all()
    started_up.clear()  # the next start of the service takes its time
    raised = watching(supervisor)

    service.die()
    await wait_until(lambda: service.starts == 2, timeout=5, message=str(reports))
    server.die()  # while the service is starting: it cannot be ready without its server
    started_up.set()
    await wait_until(
        lambda: "projection is running again (pid 102)" in reports, timeout=10, message=f"{reports} {raised}"
    )
    assert server.starts == 2
    assert raised == []
    assert reports.index("nats-server is running again (pid 102)") < reports.index(
        "projection is running again (pid 102)"
    )


async def test_a_restarted_child_never_ready_is_killed_and_started_again(
    watching: Callable[[Supervisor], list[BaseException]],
) -> None:
    never = FakeChild("projection", ready=lambda: never.starts == 1)
    reports: list[str] = []
    supervisor = Supervisor([never], report=reports.append, poll=0.01, ready_timeout=0.3)
    supervisor.start_all()
    raised = watching(supervisor)

    never.die()
    await wait_until(lambda: never.starts >= 3, timeout=10, message=f"{reports} {raised}")
    assert any("(pid 102) was not ready within 0s; restarting it" in line for line in reports), reports

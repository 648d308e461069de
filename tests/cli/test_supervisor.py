"""The supervisor's restart bound and stop path, with tiny Python children instead of services."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import psutil
import pytest

from services.cli.supervisor import (
    ChildSpec,
    RestartBudget,
    Supervisor,
    SupervisorError,
    recorded_process,
    write_pid_file,
)


def spec(tmp_path: Path, name: str, code: str, ready=lambda: True) -> ChildSpec:
    return ChildSpec(
        name=name,
        argv=[sys.executable, "-c", code],
        env={},
        log_path=tmp_path / "logs" / f"{name}.log",
        ready=ready,
        pid_path=tmp_path / "run" / f"{name}.pid",
    )


def test_budget_allows_five_restarts_a_minute_then_refuses() -> None:
    now = [0.0]
    budget = RestartBudget(limit=5, window=60, clock=lambda: now[0])
    for second in range(5):
        now[0] = float(second)
        assert budget.allow()
    now[0] = 30.0
    assert not budget.allow()  # a sixth within the minute
    now[0] = 60.0  # the restart at 0s has left the window
    assert budget.allow()
    assert not budget.allow()


def test_a_child_that_keeps_dying_is_restarted_five_times_then_everything_stops(tmp_path: Path) -> None:
    reports: list[str] = []
    code = "import sys; print('boom: cannot connect', flush=True); sys.exit(3)"
    supervisor = Supervisor([spec(tmp_path, "flaky", code)], report=reports.append, poll=0.02)
    supervisor.start_all()
    with pytest.raises(SupervisorError) as caught:
        supervisor.watch()
    supervisor.stop_all()

    child = supervisor.children[0]
    assert child.starts == 6  # the first start and five restarts
    message = str(caught.value)
    assert "flaky exited with status 3" in message
    assert "restarted 5 times within 60s" in message
    assert "boom: cannot connect" in message  # the log tail shows why
    assert sum("restarting it" in line for line in reports) == 5
    assert not (tmp_path / "run" / "flaky.pid").exists()


def test_a_child_dying_during_start_is_reported_with_its_log(tmp_path: Path) -> None:
    code = "import sys; print('bad DATABASE_URL', flush=True); sys.exit(1)"
    supervisor = Supervisor(
        [spec(tmp_path, "broken", code, ready=lambda: False)], report=lambda _: None, poll=0.02
    )
    with pytest.raises(
        SupervisorError, match=r"(?s)broken exited with status 1 during start.*bad DATABASE_URL"
    ):
        supervisor.start_all()
    supervisor.stop_all()


def test_stop_all_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    started = tmp_path / "started"
    code = (
        "import pathlib, signal, time, sys\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"pathlib.Path({str(started)!r}).touch()\n"
        "while True: time.sleep(1)\n"
    )
    supervisor = Supervisor(
        [spec(tmp_path, "stubborn", code, ready=started.exists)],
        report=lambda _: None,
        stop_timeout=0.5,
        poll=0.02,
    )
    supervisor.start_all()
    pid = supervisor.pids()["stubborn"]
    assert recorded_process(tmp_path / "run" / "stubborn.pid") is not None
    supervisor.stop_all()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert recorded_process(tmp_path / "run" / "stubborn.pid") is None


def test_watch_returns_when_a_stop_is_requested(tmp_path: Path) -> None:
    stop = threading.Event()
    code = "import time\nwhile True: time.sleep(1)\n"
    supervisor = Supervisor([spec(tmp_path, "calm", code)], stop_event=stop, report=lambda _: None, poll=0.02)
    supervisor.start_all()
    stopper = threading.Timer(0.2, supervisor.request_stop)
    stopper.start()
    supervisor.watch()  # returns once asked to stop, without restarting anything
    supervisor.stop_all()
    assert supervisor.children[0].starts == 1


def test_a_pid_file_does_not_match_a_reused_pid(tmp_path: Path) -> None:
    path = tmp_path / "me.pid"
    write_pid_file(path, psutil.Process().pid)
    assert recorded_process(path) is not None
    path.write_text(path.read_text().replace('"started": ', '"started": 1'))  # another start time
    assert recorded_process(path) is None


def test_a_restarted_child_gets_its_fresh_settings(tmp_path: Path) -> None:
    """After `sanji credentials rotate`, the restarted service connects with the new password."""
    seen, password = tmp_path / "seen", ["old"]
    code = f"import os; open({str(seen)!r}, 'a').write(os.environ['NATS_URL'] + '\\n')"
    base = spec(tmp_path, "svc", code)
    child = ChildSpec(**{**base.__dict__, "fresh_env": lambda: {"NATS_URL": f"nats://svc:{password[0]}@h"}})
    supervisor = Supervisor([child], report=lambda _line: None, poll=0.02)
    supervisor.start_all()
    password[0] = "new"  # rotated while it runs; it exits, the watch restarts it
    with pytest.raises(SupervisorError):
        supervisor.watch()
    supervisor.stop_all()
    lines = seen.read_text().splitlines()
    assert lines[0] == "nats://svc:old@h"
    assert set(lines[1:]) == {"nats://svc:new@h"}

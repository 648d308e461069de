"""`sanji up`: the whole system on one machine — NATS and PostgreSQL (embedded unless NATS_URL /
DATABASE_URL name them), then every registered service, each as its own process, all supervised."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from services import registry
from services.cli.children import ServerChild, http_status
from services.cli.demo import gateway_url_for_port
from services.cli.sites import SiteError, SiteOptions
from services.cli.supervisor import (
    ChildSpec,
    Supervisor,
    SupervisorError,
    recorded_process,
    terminate,
    write_pid_file,
)
from services.cli.tokens_cmd import ensure_dev_token_in

START_ORDER = registry.names()  # the registry lists the services in the order they start
GATEWAY_PORT = 8000
CITY = "3205"


def readyz_probe(port: int) -> Callable[[], bool]:
    """A probe that is True once http://127.0.0.1:port/readyz answers 200."""
    return lambda: http_status(port) == 200


def answers_probe(port: int) -> Callable[[], bool]:
    """A probe that is True while http://127.0.0.1:port/readyz answers at all (503 included)."""
    return lambda: http_status(port) is not None


class Backing:
    """NATS and PostgreSQL: the URLs given in the environment, embedded servers for the rest."""

    def __init__(
        self, data_dir: Path, nats_url: str | None, database_url: str | None, site: SiteOptions | None = None
    ) -> None:
        from services.eventkit.embedded import EmbeddedStack, NatsServer, PostgresServer

        # Servers a killed earlier run left behind on this data dir are stopped first (each class
        # checks the PID it recorded really is its server), so their remembered ports are free again.
        if not nats_url:
            NatsServer(data_dir / "nats").stop()
        if not database_url:
            PostgresServer(data_dir / "pg").stop()
        self.servers: list[NatsServer | PostgresServer]
        self.site = site or SiteOptions()
        # The embedded NATS's part in a city with counties (None: a site on its own, as before).
        self.role = self.site.nats_role(data_dir / "nats") if not nats_url else None
        if self.role is not None:
            self.servers = [NatsServer(data_dir / "nats", site=self.role)]
            self.servers += [PostgresServer(data_dir / "pg")] if not database_url else []
        elif not nats_url and not database_url:
            stack = EmbeddedStack(data_dir)  # durable (fast=False); ports remembered in <dir>/port
            self.servers = [stack.nats, stack.postgres]
        else:
            self.servers = [NatsServer(data_dir / "nats")] if not nats_url else []
            self.servers += [PostgresServer(data_dir / "pg")] if not database_url else []
        self.nats_url = nats_url or next(s.url for s in self.servers if isinstance(s, NatsServer))
        self.database_url = database_url or next(s.url for s in self.servers if isinstance(s, PostgresServer))

    def provision_site(self) -> None:
        """A joined site's streams on its embedded NATS, before any service would make a plain one."""
        if self.role is not None:
            self.site.provision(self.nats_url, CITY)

    def children(self) -> list[ServerChild]:
        """The embedded servers as supervised children, started before the services, stopped after."""
        from services.eventkit.embedded import NatsServer

        return [
            ServerChild("nats-server" if isinstance(server, NatsServer) else "PostgreSQL", server)
            for server in self.servers
        ]

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    def nats_url_for(self, user: str) -> str:
        """Each child connects as its own NATS user on the embedded server; NATS_URL as it is given."""
        from services.eventkit.embedded import NatsServer

        embedded = next((s for s in self.servers if isinstance(s, NatsServer)), None)
        return embedded.url_for(user) if embedded is not None else self.nats_url

    def describe(self, kind: type[object], url: str) -> str:
        embedded = any(isinstance(server, kind) for server in self.servers)
        where = "embedded; credentials kept 0600 in its data folder" if embedded else "from the environment"
        return f"{without_credentials(url)}  ({where})"


def without_credentials(url: str) -> str:
    """The URL as printed: no user or password."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url


def service_ports(run_dir: Path, names: list[str], file: str = "ports.json") -> dict[str, int]:
    """Ports for the services' /metrics and /readyz: the ones used last time when still free."""
    from services.eventkit.embedded import free_port, port_is_free

    path = run_dir / file
    try:
        remembered = {str(k): int(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        remembered = {}
    ports: dict[str, int] = {}
    for name in names:
        port = remembered.get(name, 0)
        ports[name] = port if port and port != GATEWAY_PORT and port_is_free(port) else free_port()
    path.write_text(json.dumps(ports))
    return ports


def gateway_port_from_env() -> int:
    """SANJI_HTTP_PORT, else 8000; refused up front when another program holds it."""
    from services.eventkit.embedded import port_is_free

    raw = os.environ.get("SANJI_HTTP_PORT") or str(GATEWAY_PORT)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SupervisorError(f"SANJI_HTTP_PORT={raw!r} is not a TCP port number")
    port = int(raw)
    if not port_is_free(port):
        raise SupervisorError(f"port {port} for the gateway is in use; free it or set SANJI_HTTP_PORT")
    return port


def gateway_port_for(site: SiteOptions, run_dir: Path) -> int:
    """SANJI_HTTP_PORT, else 8000 at the city; a county's own port (remembered), so both run side by side."""
    if site.site == "county" and not os.environ.get("SANJI_HTTP_PORT"):
        return service_ports(run_dir, ["gateway"], "gateway-port.json")["gateway"]
    return gateway_port_from_env()


def claim_data_dir(run_dir: Path) -> None:
    """Refuse a second `sanji up` on one data dir; stop children a killed earlier run left behind."""
    owner = recorded_process(run_dir / "up.pid")
    if owner is not None and owner.pid != os.getpid():
        raise SupervisorError(f"sanji up already runs on this data dir as pid {owner.pid}; stop it first")
    for pid_file in sorted(run_dir.glob("service-*.pid")):
        leftover = recorded_process(pid_file)
        if leftover is not None:
            typer.echo(
                f"stopping {pid_file.stem} (pid {leftover.pid}) left over from an earlier run", err=True
            )
            terminate(leftover.pid)
        pid_file.unlink(missing_ok=True)
    write_pid_file(run_dir / "up.pid", os.getpid())


def nats_env(backing: Backing, user: str) -> dict[str, str]:
    """NATS_URL with the user's password as it is now (`sanji credentials rotate` changes it)."""
    return {"NATS_URL": backing.nats_url_for(user)}


def child_specs(data_dir: Path, backing: Backing, ports: dict[str, int]) -> list[ChildSpec]:
    specs = []
    for name in START_ORDER:
        env = dict(os.environ)
        env.update(
            NATS_URL=backing.nats_url_for(name),
            DATABASE_URL=backing.database_url,
            SANJI_HTTP_PORT=str(ports[name]),
            PYTHONUNBUFFERED="1",
        )
        if backing.site.scope:  # a county site's top unit: its timers, its rescoring, its events' origin
            env["SANJI_CITY"] = backing.site.scope
        if backing.site.counties:  # the city hands these county sites their cases
            env["SANJI_COUNTY_SITES"] = ",".join(backing.site.counties)
        specs.append(
            ChildSpec(
                name=name,
                argv=[sys.executable, "-m", "services.cli.main", "service", name],
                env=env,
                log_path=data_dir / "logs" / f"{name}.log",
                ready=readyz_probe(ports[name]),
                pid_path=data_dir / "run" / f"service-{name}.pid",
                answers=answers_probe(ports[name]),
                fresh_env=partial(nats_env, backing, name),  # a rotated password reaches a restarted child
            )
        )
    return specs


def summary(data_dir: Path, backing: Backing, ports: dict[str, int], sup: Supervisor, token: str) -> str:
    pids = sup.pids()
    gateway = gateway_url_for_port(ports["gateway"])
    from services.eventkit.embedded import NatsServer, PostgresServer

    lines = [
        "",
        "Sanji is up.",
        f"  gateway      {gateway}   (pid {pids.get('gateway')})",
        f"  site         {backing.site.describe(backing.role)}",
        f"  dev token    {token}   (city admin of {CITY})",
        f'  try          curl -H "Authorization: Bearer {token}" {gateway}/api/v1/units/{CITY}',
        "  metrics",
    ]
    lines += [
        f"    {name:<11}http://127.0.0.1:{ports[name]}/metrics   (pid {pids.get(name)})"
        for name in START_ORDER
    ]
    lines += [
        f"  NATS         {backing.describe(NatsServer, backing.nats_url)}",
        f"  PostgreSQL   {backing.describe(PostgresServer, backing.database_url)}",
        f"  data dir     {data_dir}   (logs in {data_dir / 'logs'})",
        "",
        "Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def run_up(data_dir: Path | None, site: SiteOptions | None = None) -> int:
    """Start everything, print where it is, keep it running until SIGINT/SIGTERM; the exit status."""
    site = site or SiteOptions()
    if (refusal := site.refusal()) is not None:
        typer.echo(f"sanji up: {refusal}", err=True)
        return 2
    return run_site((data_dir or site.default_data_dir()).resolve(), site)


def run_site(data_dir: Path, site: SiteOptions) -> int:
    """`sanji up` for options already checked, in ``data_dir``."""
    from services.eventkit.embedded import EmbeddedServerError

    run_dir = data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    stop_event = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if not stop_event.is_set():
            typer.echo(f"\n{signal.Signals(signum).name}: stopping …", err=True)
        stop_event.set()

    # SIGHUP too: closing the terminal must not orphan the children, which run in their own sessions.
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, on_signal) for sig in stop_signals}
    sup: Supervisor | None = None
    backing: Backing | None = None
    try:
        claim_data_dir(run_dir)
        gateway_port = gateway_port_for(site, run_dir)
        backing = Backing(data_dir, os.environ.get("NATS_URL"), os.environ.get("DATABASE_URL"), site)
        if backing.servers:
            names = " and ".join(type(server).__name__.removesuffix("Server") for server in backing.servers)
            typer.echo(f"starting embedded {names} (data in {data_dir}) …", err=True)
        ports = service_ports(run_dir, [n for n in START_ORDER if n != "gateway"]) | {"gateway": gateway_port}
        sup = Supervisor(
            [*backing.children(), *child_specs(data_dir, backing, ports)],
            stop_event=stop_event,
            report=lambda line: typer.echo(line, err=True),
        )
        tokens: list[str] = []
        backing_url = backing.database_url

        def before_start(name: str) -> None:
            if name == START_ORDER[0] and backing is not None:
                backing.provision_site()
            if name == "gateway":  # tokens live in PostgreSQL: the dev token is there before the gateway
                tokens.append(ensure_dev_token_in(backing_url, CITY))

        sup.start_all(before_start)
        if not stop_event.is_set():
            typer.echo(summary(data_dir, backing, ports, sup, tokens[0]))
            sup.watch()
    except (SupervisorError, EmbeddedServerError, SiteError) as error:
        typer.echo(f"sanji up: {error}", err=True)
        return 1
    finally:
        if sup is not None:
            typer.echo("stopping services …", err=True)
            sup.stop_all()
        if backing is not None:
            backing.stop()  # also when the supervisor never started: servers a failed start left
        with contextlib.suppress(OSError):
            if (owner := recorded_process(run_dir / "up.pid")) is not None and owner.pid == os.getpid():
                (run_dir / "up.pid").unlink()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    typer.echo("stopped.", err=True)
    return 0


def register(app: typer.Typer) -> None:
    """Add `sanji up` to ``app``."""

    @app.command("up")
    def up(  # noqa: PLR0917 - typer passes each option by name
        data_dir: Annotated[
            Path | None,
            typer.Option(
                "--data-dir",
                help="where NATS, PostgreSQL, logs and tokens live [.sanji, a county: .sanji-c<code>]",
            ),
        ] = None,
        site: Annotated[str, typer.Option("--site", help="city (the hub) or county")] = "city",
        scope: Annotated[
            str | None, typer.Option("--scope", help="a county site's scope, e.g. 3205.320506")
        ] = None,
        hub: Annotated[
            str | None,
            typer.Option("--hub", help="a county site: the city hub's leaf address, nats://HOST:PORT"),
        ] = None,
        hub_credentials: Annotated[
            Path | None,
            typer.Option("--hub-credentials", help="a county site: the leaf credentials file the city wrote"),
        ] = None,
        county: Annotated[
            list[str] | None, typer.Option("--county", help="the city: a county that may join (repeatable)")
        ] = None,
    ) -> None:
        """Run a whole site locally until Ctrl-C (data is kept between runs)."""
        options = SiteOptions(site, scope, hub, hub_credentials, tuple(county or ()))
        raise typer.Exit(run_up(data_dir, options))

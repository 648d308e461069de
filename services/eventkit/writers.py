"""Which transactions may still add events to one store, and the horizon below which none can.

A relay reads events in (tx_id, position) order and must never pass a transaction that can still
commit events behind it (design trap 1). ``pg_snapshot_xmin`` answers that for the whole cluster, so
one service's long transaction held every other service's relay back. Instead, every transaction that
may append to a store says so first, before it has a transaction id: it takes a shared advisory lock
of that store (``writing``), which no one ever takes exclusively, so it never waits. The horizon is
then the oldest transaction id among the lock's holders, or, when none holds an id, the next id to be
assigned.

Why no event can be skipped: ``horizon`` takes its snapshot, then lists the lock's holders, and the
reader reads in a *later* statement. Take a writer W whose id X lies below the horizon.
- W held the lock at the listing: with an id then, X is one of the ids the minimum is taken over, so
  the horizon is not above X; without an id then, X was assigned after the snapshot, so X is at least
  the snapshot's xmax, which bounds the horizon. Either way X is not below the horizon: impossible.
- W did not hold the lock yet: it takes it before its id exists, so X came after the snapshot: the
  same contradiction.
- W had released the lock: it had finished (a transaction's locks go only after its commit is
  visible), so the reader's later snapshot sees all of W's events, or W rolled back and left none.
The ids come from ``pg_stat_activity.backend_xid``, read straight from the backends' process array
(``pg_locks``' transactionid rows appear a moment after an id is assigned, which would open a
window); a backend shows its ids to its own role, and a store's writers run as the relay's role.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from services.eventkit.db import Conn

TAKE = "SELECT pg_advisory_xact_lock_shared($1::bigint)"
# One statement: its snapshot comes first, then the lock table and the backends' ids are read.
# backend_xid is a 32-bit id; it is widened with the epoch of the snapshot's xmax. A running
# transaction's id lies within 2^31 of that xmax, below it or (assigned after the snapshot) above.
HORIZON = """
WITH now AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax),
holders AS (
    SELECT a.backend_xid::text::bigint AS xid
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objsubid = 1
      AND l.objid::text::bigint = $1::bigint AND a.backend_xid IS NOT NULL
),
widened AS (
    SELECT ((now.xmax >> 32) << 32) | holders.xid AS xid, now.xmax FROM now, holders
)
SELECT least(
    (SELECT xmax FROM now),
    (SELECT min(CASE WHEN xid > xmax + 2147483648 THEN xid - 4294967296
                     WHEN xid < xmax - 2147483648 THEN xid + 4294967296
                     ELSE xid END) FROM widened)
)
"""


def writer_lock_key(schema: str) -> int:
    """The advisory lock key of one store's writers (32 bits: pg_locks shows it as objid, classid 0)."""
    return zlib.crc32(f"sanji-writers:{schema}".encode())


class WriterRegistry:
    """Opens writer transactions on a store and checks that events are only appended inside one."""

    def __init__(self, schema: str) -> None:
        self.key = writer_lock_key(schema)
        self._open: set[int] = set()  # id() of connections inside ``writing``

    @asynccontextmanager
    async def writing(self, conn: Conn, *, lock_in_first_statement: bool = False) -> AsyncIterator[Conn]:
        """A transaction on ``conn`` registered as a writer of this store before it does anything else.

        With ``lock_in_first_statement`` the caller's first statement takes the lock itself (a command
        group takes it with its stored-reply lookup: one round trip less, see idempotency.py)."""
        async with conn.transaction():
            if not lock_in_first_statement:
                await conn.execute(TAKE, self.key)
            self._open.add(id(conn))
            try:
                yield conn
            finally:
                self._open.discard(id(conn))

    def check(self, conn: Conn) -> None:
        """Refuse an append outside a writer transaction: the relay could pass it and skip its events."""
        if id(conn) not in self._open:
            raise RuntimeError(
                "events are appended only inside PostgresEventStore.transaction(): a transaction that "
                "did not register as a writer first could commit behind the relay's horizon"
            )


async def horizon(pool: asyncpg.Pool | Conn, key: int) -> int:
    """A transaction id below which every writer of the store with ``key`` has finished."""
    value = await pool.fetchval(HORIZON, key)
    return int(value)

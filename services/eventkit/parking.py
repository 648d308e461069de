"""Bounded retries and parking: the one mechanism every background worker uses for an item it cannot
handle (a reaction's event, a timer, a projection event, a rescorer's unit-period).

A failure is first judged: a transient one (see transient.py) is retried without being counted; any
other is counted in the ``failures`` ledger of the worker's schema, in a transaction of its own so the
count survives the rollback of the work that failed. When the count reaches the worker's budget, the
item is parked in ``parked`` with its reason and payload, in the same transaction that lets the worker
move past it, and the worker carries on with everything else. An operator lists, retries or discards
parked items with ``sanji dlq`` (see deadletters.py); a retry request is picked up by the worker, which
redoes the item and removes it from ``parked`` in one transaction, so a retry takes effect once.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.eventkit import metrics
from services.eventkit.aio import sleep_or_stop
from services.eventkit.db import Conn
from services.eventkit.transient import is_transient

log = logging.getLogger(__name__)
DEFAULT_BUDGET = 5


class Verdict(enum.Enum):
    TRANSIENT = "transient"  # the surroundings failed: try again later, uncounted
    RETRY = "retry"  # the item failed, within its budget: try again later
    PARK = "park"  # the item failed its last allowed attempt: set it aside and move on


@dataclass(frozen=True)
class Parked:
    id: int
    schema: str
    worker: str
    item: str
    reason: str
    attempts: int
    payload: bytes
    parked_at: datetime
    retry_requested: bool

    @property
    def ref(self) -> str:
        """How an operator names it: ``<schema>/<id>``."""
        return f"{self.schema}/{self.id}"

    @classmethod
    def from_row(cls, schema: str, row: asyncpg.Record) -> Parked:
        return cls(
            id=row["id"],
            schema=schema,
            worker=row["worker"],
            item=row["item"],
            reason=row["reason"],
            attempts=row["attempts"],
            payload=bytes(row["payload"]),
            parked_at=row["parked_at"],
            retry_requested=row["retry_requested_at"] is not None,
        )


RetryHandler = Callable[[Conn, Parked], Awaitable[None]]
# How a retry's transaction is opened: a worker that appends events opens it as a writer of its store.
Transaction = Callable[[Conn], AbstractAsyncContextManager[object]]


def plain_transaction(conn: Conn) -> AbstractAsyncContextManager[object]:
    return conn.transaction()


def reason_of(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


class Parking:
    """One worker's failure ledger and parked items, in its service's schema."""

    def __init__(self, pool: asyncpg.Pool, schema: str, worker: str, budget: int = DEFAULT_BUDGET) -> None:
        self.pool, self.schema, self.worker, self.budget = pool, schema, worker, budget

    async def judge(self, item: str, error: BaseException) -> tuple[Verdict, int]:
        """Count a failure of ``item`` unless it is transient; say what to do and how many attempts failed."""
        if not is_transient(error):
            try:
                attempts: int = await self.pool.fetchval(
                    f"INSERT INTO {self.schema}.failures (worker, item, attempts, last_error)"
                    " VALUES ($1, $2, 1, $3) ON CONFLICT (worker, item) DO UPDATE"
                    " SET attempts = failures.attempts + 1, last_error = excluded.last_error,"
                    " updated_at = now() RETURNING attempts",
                    self.worker,
                    item,
                    reason_of(error),
                )
            except Exception as ledger_error:  # the database went away meanwhile: nothing was counted
                if not is_transient(ledger_error):
                    raise
            else:
                verdict = Verdict.PARK if attempts >= self.budget else Verdict.RETRY
                metrics.worker_failures.labels(self.worker, verdict.value).inc()
                log.warning(
                    "%s failed on %s (attempt %s of %s): %s",
                    self.worker,
                    item,
                    attempts,
                    self.budget,
                    reason_of(error),
                    exc_info=error,  # the traceback, for whoever fixes the cause
                )
                return verdict, attempts
        metrics.worker_failures.labels(self.worker, Verdict.TRANSIENT.value).inc()
        log.warning("%s: transient failure on %s: %s", self.worker, item, reason_of(error))
        return Verdict.TRANSIENT, 0

    async def attempts(self, item: str) -> int:
        """How many times ``item`` itself has failed so far."""
        found: int | None = await self.pool.fetchval(
            f"SELECT attempts FROM {self.schema}.failures WHERE worker = $1 AND item = $2", self.worker, item
        )
        return found or 0

    async def forget(self, conn: Conn, items: Sequence[str]) -> None:
        """Clear the failure counts of items that have now succeeded (in the caller's transaction)."""
        if items:
            await conn.execute(
                f"DELETE FROM {self.schema}.failures WHERE worker = $1 AND item = ANY($2::text[])",
                self.worker,
                list(items),
            )

    async def park(self, conn: Conn, item: str, reason: str, attempts: int, payload: bytes) -> None:
        """Set ``item`` aside with why (in the caller's transaction, which moves the worker past it)."""
        await conn.execute(
            f"INSERT INTO {self.schema}.parked (worker, item, reason, attempts, payload)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (worker, item) DO UPDATE SET reason = excluded.reason,"
            " attempts = excluded.attempts, payload = excluded.payload, parked_at = now(),"
            " retry_requested_at = NULL",
            self.worker,
            item,
            reason[:2000],
            attempts,
            payload,
        )
        await self.forget(conn, [item])
        log.error("%s parked %s after %s attempts: %s", self.worker, item, attempts, reason)

    async def count(self) -> int:
        """How many items this worker has parked; also published as ``sanji_parked_items``."""
        found: int = await self.pool.fetchval(
            f"SELECT count(*) FROM {self.schema}.parked WHERE worker = $1", self.worker
        )
        metrics.parked_items.labels(self.worker).set(found)
        return found

    async def retry_requested(
        self, redo: RetryHandler, limit: int = 100, transaction: Transaction = plain_transaction
    ) -> int:
        """Redo each item an operator sent back; return how many were tried. An item that succeeds leaves
        ``parked`` in the same transaction; one that fails again stays parked with its new reason."""
        tried = 0
        while tried < limit:
            async with self.pool.acquire() as conn, transaction(conn):
                row = await conn.fetchrow(
                    f"SELECT * FROM {self.schema}.parked WHERE worker = $1 AND retry_requested_at IS NOT NULL"
                    " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    self.worker,
                )
                if row is None:
                    break
                parked = Parked.from_row(self.schema, row)
                try:
                    async with (
                        conn.transaction()
                    ):  # a savepoint: a failed retry leaves no trace but its reason
                        await redo(conn, parked)
                except Exception as error:
                    if is_transient(error):
                        raise
                    await conn.execute(
                        f"UPDATE {self.schema}.parked SET reason = $2, attempts = attempts + 1,"
                        " retry_requested_at = NULL, parked_at = now() WHERE id = $1",
                        parked.id,
                        reason_of(error),
                    )
                    log.exception("%s: retry of parked %s failed", self.worker, parked.item)
                else:
                    await conn.execute(f"DELETE FROM {self.schema}.parked WHERE id = $1", parked.id)
                    log.info("%s: parked %s retried and applied", self.worker, parked.item)
            tried += 1
        return tried

    async def follow_retries(
        self,
        stop: asyncio.Event,
        redo: RetryHandler,
        poll: float = 1.0,
        transaction: Transaction = plain_transaction,
    ) -> None:
        """Pick up operators' retry requests until ``stop``, keeping the parked-items gauge current."""
        while not stop.is_set():
            try:
                await self.retry_requested(redo, transaction=transaction)
                await self.count()
            except Exception as error:  # the database away: the requests wait in their table
                log.warning("%s: retrying parked items failed: %r", self.worker, error)
            await sleep_or_stop(stop, poll)

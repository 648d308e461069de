"""Group commit: commands that arrive while earlier ones are being written share one transaction.

A command that finds a flusher free is written at once (a lone clerk never waits for a window). The
ones that arrive while every flusher is busy queue up and go together in the next group: one pooled
connection, one BEGIN, one statement that takes the store's writer lock and finds every key's stored
reply, one commit (one WAL flush) for all. In a group of more than one, each command runs under its
own savepoint, so a refusal, a failure or a conflict undoes that command alone; a conflict sends it to
a later group (a new transaction sees the rival's events and has a younger id than any head it reads).

Replies are given only after the group's commit returned: a crash before it loses only commands
nobody was told about, and a resend after it finds the stored reply (idempotency.py).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg

from contracts.commands import CommandReply
from services.eventkit.db import Conn
from services.eventkit.errors import internal_error
from services.eventkit.faults import FaultHook, no_faults
from services.eventkit.groupstart import Preloaded, preloadable, start_group
from services.eventkit.idempotency import RequestKey, StoredReply
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.store import WrongExpectedVersion

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# PostgreSQL keeps 64 subtransaction ids per backend in shared memory; past that every snapshot in the
# cluster gets slower (suboverflow), and each savepoint that writes takes one.
MAX_GROUP = 48
FLUSHERS = 2  # one group commits while the next one runs its commands
UNKNOWN_OUTCOME = (
    "the command's outcome is not known (the database connection failed while committing);"
    " resend the same request with the same commandid to learn it"
)


@dataclass(frozen=True)
class Applied:
    """A command done inside the group's transaction: its reply and what to count once committed."""

    reply: CommandReply
    committed: Callable[[], None]


# runs the command on the group's connection, with the streams it named as read at the group's start
Work = Callable[[Conn, Preloaded], Awaitable[Applied]]
Explain = Callable[[Exception], CommandReply]  # turns a failed command's exception into its reply
Conflicted = Callable[[], CommandReply]


@dataclass(eq=False)
class Pending:
    asked: RequestKey
    work: Work
    streams: tuple[str, ...]  # the streams the command will load (read in the group's first statement)
    future: asyncio.Future[CommandReply] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    attempt: int = 0


def settle(pending: Pending, reply: CommandReply) -> None:
    """Give the reply, unless its requester stopped waiting (the command stays applied; a resend finds it)."""
    if not pending.future.done():
        pending.future.set_result(reply)


class RollBack(Exception):
    """A lone command failed: its transaction holds nothing else, so it is rolled back whole."""


@dataclass
class GroupResult:
    answered: list[tuple[Pending, CommandReply]] = field(default_factory=list)
    applied: list[tuple[Pending, Applied]] = field(default_factory=list)
    conflicted: list[Pending] = field(default_factory=list)


class GroupCommitter:
    def __init__(
        self,
        store: PostgresEventStore,
        *,
        explain: Explain,
        key_reused: Conflicted,
        gave_up: Conflicted,
        fault: FaultHook = no_faults,
        max_group: int = MAX_GROUP,
        flushers: int = FLUSHERS,
    ) -> None:
        self.store, self.explain, self.key_reused, self.gave_up = store, explain, key_reused, gave_up
        self.fault, self.max_group, self.flushers = fault, max_group, flushers
        self._queue: deque[Pending] = deque()
        self._flushing = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.group_sizes: deque[int] = deque(maxlen=1000)  # the latest groups' sizes, for the tests

    async def submit(self, asked: RequestKey, work: Work, streams: Sequence[str] = ()) -> CommandReply:
        """Run ``work`` in the next group and return its reply once that group has committed."""
        pending = Pending(asked, work, tuple(streams))
        self._enqueue(pending)
        return await pending.future

    def _enqueue(self, pending: Pending) -> None:
        self._queue.append(pending)
        if self._flushing < self.flushers:
            self._flushing += 1
            task = asyncio.create_task(self._flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _flush(self) -> None:
        try:
            while self._queue:
                group = [self._queue.popleft() for _ in range(min(self.max_group, len(self._queue)))]
                await self._run(group)
        finally:
            self._flushing -= 1

    async def _run(self, group: list[Pending]) -> None:
        self.group_sizes.append(len(group))
        try:
            result = await self._commit(group)
        except BaseException as crash:  # a simulated crash or a shutdown: nobody may wait forever
            for pending in group:
                if pending.future.done():
                    continue
                if isinstance(crash, asyncio.CancelledError):
                    pending.future.cancel()
                else:
                    pending.future.set_exception(crash)
            raise
        for pending, reply in result.answered:
            settle(pending, reply)
        for pending, applied in result.applied:
            applied.committed()
            settle(pending, applied.reply)
        for pending in result.conflicted:
            self._retry(pending)

    def _retry(self, pending: Pending) -> None:
        pending.attempt += 1
        if pending.attempt >= MAX_ATTEMPTS:
            settle(pending, self.gave_up())
            return
        # writers racing on one stream: spread the retries so one of them wins
        delay = random.uniform(0, 0.005 * 2**pending.attempt)  # noqa: S311 - jitter, not secrets
        asyncio.get_running_loop().call_later(delay, self._enqueue, pending)

    async def _commit(self, group: list[Pending]) -> GroupResult:
        result = GroupResult()
        writers = self.store.writers
        try:
            async with self.store.pool.acquire() as conn, writers.writing(conn, lock_in_first_statement=True):
                wanted = preloadable(p.streams for p in group)
                stored, preloaded = await start_group(
                    conn, self.store.schema, writers.key, [p.asked for p in group], sorted(wanted)
                )
                for pending in group:
                    mine = {s: preloaded[s] for s in pending.streams if s in wanted}
                    await self._one(conn, pending, stored, mine, result, savepoint=len(group) > 1)
                self.fault("group_before_commit")
        except RollBack:
            pass
        except Exception:
            log.exception("a command group failed to commit", extra={"commands": len(group)})
            settled = {id(pending) for pending, _ in result.answered} | {id(p) for p in result.conflicted}
            for pending in group:
                if id(pending) not in settled:  # applied or not reached: the commit's fate is unknown
                    result.answered.append(
                        (pending, CommandReply(ok=False, error=internal_error(UNKNOWN_OUTCOME)))
                    )
            result.applied.clear()
            return result
        self.store.appended.set()
        self.fault("group_after_commit")
        return result

    async def _one(
        self,
        conn: Conn,
        pending: Pending,
        stored: dict[tuple[str, str], StoredReply],
        preloaded: Preloaded,
        result: GroupResult,
        *,
        savepoint: bool,
    ) -> None:
        """One command of the group: its stored reply, or its work under its own savepoint."""
        found = stored.get((pending.asked.principal, pending.asked.key))
        if found is not None:
            result.answered.append(
                (pending, found.reply if found.answers(pending.asked) else self.key_reused())
            )
            return
        if savepoint:
            await conn.execute("SAVEPOINT command")
        try:
            applied = await pending.work(conn, preloaded)
        except (WrongExpectedVersion, asyncpg.UniqueViolationError):
            result.conflicted.append(pending)  # a rival wrote first, or the same key committed meanwhile
        except Exception as error:
            result.answered.append((pending, self.explain(error)))
        else:
            result.applied.append((pending, applied))
            self.fault("group_command_applied")
            return
        if not savepoint:
            raise RollBack
        await conn.execute("ROLLBACK TO SAVEPOINT command")

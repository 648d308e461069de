"""Group commit in the command bus (services/eventkit/groupcommit.py), attacked on a real PostgreSQL.

Commands that queue while a group is being written share its transaction, yet each keeps its own
outcome: a refusal, a failing handler or a database error undoes that command alone; a head written
by a younger transaction sends its command to a later group; a crash at any point of a group loses no
acknowledged command and doubles none; and the statements a command costs are counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from contracts.commands import Actor, CommandReply, CommandRequest, Role
from contracts.outreach import ActivityLogged, LogActivity
from contracts.registry import DomainEvent
from services.eventkit.aggregates import aggregate, load, loads
from services.eventkit.commanding import CommandBus, CommandContext, Decision
from services.eventkit.db import create_pool
from services.eventkit.errors import DomainError
from services.eventkit.faults import SimulatedCrash, no_faults
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.store import CommitPosition
from tests.eventkit.events import batch
from tests.helpers import wait_until

ACTOR = Actor(id="clerk@3205", scope="3205", roles=frozenset({Role.CLERK}))
UNIT = "3205.320506"


def stream_of(activity_id: str) -> str:
    """The stream of an activity, by the test's short name or by its full id."""
    return f"activity:{activity_id.removeprefix('activity-')}"


def counted(state: int, _event: DomainEvent) -> int:
    return state + 1


TALLY = aggregate(stream_of, int, counted)


@dataclass
class Gates:
    """Handlers whose topic names a gate stop there until the test opens it."""

    reached: dict[str, asyncio.Event] = field(default_factory=dict)
    opened: dict[str, asyncio.Event] = field(default_factory=dict)

    def gate(self, name: str) -> tuple[asyncio.Event, asyncio.Event]:
        return self.reached.setdefault(name, asyncio.Event()), self.opened.setdefault(name, asyncio.Event())

    async def pass_(self, name: str) -> None:
        reached, opened = self.gate(name)
        reached.set()
        await opened.wait()


@dataclass
class Kit:
    store: PostgresEventStore
    gates: Gates
    bus: CommandBus

    def restart(self, fault: Callable[[str], None] = no_faults) -> CommandBus:
        """A fresh bus on the same store: what a restarted process has."""
        self.bus = bus_for(self.store, self.gates, fault)
        self.bus.groups.flushers = 1
        return self.bus


def bus_for(store: PostgresEventStore, gates: Gates, fault: Callable[[str], None]) -> CommandBus:
    async def note(ctx: CommandContext, command: LogActivity) -> Decision:
        """Logs one more event on the activity's stream; its topic may make it stop, refuse or break."""
        if command.topic.startswith("gate:"):
            await gates.pass_(command.topic)
        count, version = await load(ctx, TALLY, command.activity_id)
        if command.topic == "write then refuse":
            await ctx.conn.execute(f"INSERT INTO {store.schema}.side (note) VALUES ('refused')")
            raise DomainError("refused on purpose", field="topic")
        if command.topic == "database error":
            await ctx.conn.execute(f"INSERT INTO {store.schema}.side (note) VALUES ('broken')")
            await ctx.conn.execute("SELECT 1 / 0")
        event = ActivityLogged(
            activity_id=command.activity_id,
            unit=command.unit,
            kind=command.kind,
            topic=command.topic,
            held_on=command.held_on,
            audience=count,
        )
        return Decision(stream_of(command.activity_id), version, command.unit, [event])

    # the group reads each command's stream in its first statement (aggregates.loads)
    preloading = loads(TALLY, lambda command: command.activity_id)(note)
    return CommandBus("kit", store, {LogActivity: preloading}, fault=fault)


@pytest.fixture
async def kit(database_url: str) -> AsyncIterator[Kit]:
    pool = await create_pool(database_url, min_size=4, max_size=4)
    schema = f"group_{id(pool) % 10**8}"
    async with pool.acquire() as conn:
        await migrate(conn, schema, service_migrations(None))
        await conn.execute(f"CREATE TABLE {schema}.side (note text)")
    store = PostgresEventStore(pool, schema)
    gates = Gates()
    kit = Kit(store, gates, bus_for(store, gates, no_faults))
    kit.bus.groups.flushers = 1  # one group at a time: the tests decide which commands share one
    try:
        yield kit
    finally:
        for opened in gates.opened.values():  # a failed test may leave a command waiting at its gate
            opened.set()
        try:
            await asyncio.wait_for(pool.execute(f"DROP SCHEMA {schema} CASCADE"), 10)
            await asyncio.wait_for(pool.close(), 10)
        except TimeoutError:
            pool.terminate()


def request(command_id: str, activity_id: str, topic: str = "宣讲") -> bytes:
    body = {
        "activity_id": f"activity-{activity_id}",
        "unit": UNIT,
        "kind": "outreach_talk",
        "topic": topic,
        "held_on": "2026-03-02",
        "audience": 10,
    }
    return CommandRequest(actor=ACTOR, commandid=command_id, body=body).model_dump_json().encode()


def send(bus: CommandBus, raw: bytes) -> asyncio.Task[CommandReply]:
    return asyncio.create_task(bus.dispatch("outreach.log_activity", raw))


async def hold_the_flusher(kit: Kit, name: str = "gate:hold") -> asyncio.Task[CommandReply]:
    """A command that stops inside its group: everything sent meanwhile queues for the next group."""
    held = send(kit.bus, request(f"cmd-{name[5:]}", f"act-{name[5:]}", name))
    await asyncio.wait_for(kit.gates.gate(name)[0].wait(), 10)
    return held


async def events_by_stream(store: PostgresEventStore) -> dict[str, list[tuple[int, int]]]:
    """stream → (stream version, writing transaction) of each stored event."""
    rows = await store.pool.fetch(
        f"SELECT stream_id, stream_version, tx_id::text::bigint AS tx FROM {store.schema}.events"
        " ORDER BY stream_id, stream_version"
    )
    found: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        found.setdefault(row["stream_id"], []).append((row["stream_version"], row["tx"]))
    return found


async def test_a_group_shares_one_transaction_and_a_failure_undoes_only_its_command(kit: Kit) -> None:
    held = await hold_the_flusher(kit)
    topics = ["宣讲", "write then refuse", "宣讲", "database error", "宣讲"]
    sent = [send(kit.bus, request(f"cmd-{n:04d}", f"act-{n}", topic)) for n, topic in enumerate(topics)]
    await wait_until(lambda: len(kit.bus.groups._queue) == len(topics), 10)
    kit.gates.gate("gate:hold")[1].set()
    replies = await asyncio.gather(held, *sent)

    assert list(kit.bus.groups.group_sizes) == [1, len(topics)]
    assert [r.ok for r in replies] == [True, True, False, True, False, True]
    assert replies[2].error is not None
    assert replies[2].error.code == "rejected"
    assert replies[2].error.fields[0].field == "topic"
    assert replies[4].error is not None
    assert replies[4].error.code == "internal"
    stored = await events_by_stream(kit.store)
    assert sorted(stored) == sorted(stream_of(a) for a in ["act-hold", "act-0", "act-2", "act-4"])
    assert len({stored[stream_of(a)][0][1] for a in ["act-0", "act-2", "act-4"]}) == 1  # one transaction
    # each reply carries its own events' commit position: the group's transaction, that event's row
    rows = await kit.store.pool.fetch(
        f"SELECT event_id::text, tx_id::text::bigint AS tx, position FROM {kit.store.schema}.events"
    )
    stored_at = {row["event_id"]: f"{kit.store.origin}:{row['tx']}:{row['position']}" for row in rows}
    assert all(reply.position == stored_at[reply.events[0]] for reply in replies if reply.ok)
    # what the refused and the broken command wrote before failing went with their savepoints
    assert await kit.store.pool.fetchval(f"SELECT count(*) FROM {kit.store.schema}.side") == 0
    kept = await kit.store.pool.fetchval(f"SELECT count(*) FROM {kit.store.schema}.processed_commands")
    assert kept == 4  # a stored reply for every command that was applied, none for the others


async def test_a_resent_key_in_a_group_gets_its_stored_reply_and_a_reused_key_is_refused(kit: Kit) -> None:
    first = await kit.bus.dispatch("outreach.log_activity", request("cmd-once", "act-once"))
    held = await hold_the_flusher(kit)
    again = send(kit.bus, request("cmd-once", "act-once"))
    reused = send(kit.bus, request("cmd-once", "act-other"))
    fresh = send(kit.bus, request("cmd-fresh", "act-fresh"))
    await wait_until(lambda: len(kit.bus.groups._queue) == 3, 10)
    kit.gates.gate("gate:hold")[1].set()
    await held
    assert await again == first
    refused = await reused
    assert refused.error is not None
    assert refused.error.fields[0].field == "commandid"
    assert (await fresh).ok
    stored = await events_by_stream(kit.store)
    assert len(stored[stream_of("act-once")]) == 1
    assert stream_of("act-other") not in stored


async def test_a_head_written_by_a_younger_transaction_sends_the_command_to_a_later_group(kit: Kit) -> None:
    """Without the check the group's older id would sort its event before the head it follows."""
    held = await hold_the_flusher(kit)
    writes_first = send(kit.bus, request("cmd-first", "act-first"))
    then_follows = send(kit.bus, request("cmd-follow", "act-x", "gate:follow"))
    await wait_until(lambda: len(kit.bus.groups._queue) == 2, 10)
    kit.gates.gate("gate:hold")[1].set()
    await held
    await asyncio.wait_for(kit.gates.gate("gate:follow")[0].wait(), 10)  # the group has its id by now
    await kit.store.append(stream_of("act-x"), 0, batch(stream_of("act-x"), 0, 1))  # a younger writer
    kit.gates.gate("gate:follow")[1].set()
    assert (await writes_first).ok
    assert (await then_follows).ok

    committed = await kit.store.read_committed(CommitPosition(), 100)
    in_commit_order = [
        e.envelope.streamversion for e in committed if e.envelope.subject == stream_of("act-x")
    ]
    assert in_commit_order == [1, 2]
    assert list(kit.bus.groups.group_sizes) == [1, 2, 1]  # the follower went again, in a group of its own


async def test_two_commands_of_a_group_on_one_stream_each_see_the_other_s_events(kit: Kit) -> None:
    """A stream two commands of a group name is not read up front: the second must load the first's
    event from the transaction, not a copy read before it was appended (that would conflict and retry)."""
    held = await hold_the_flusher(kit)
    first = send(kit.bus, request("cmd-same-1", "act-same"))
    second = send(kit.bus, request("cmd-same-2", "act-same"))
    alone = send(kit.bus, request("cmd-other", "act-other"))
    await wait_until(lambda: len(kit.bus.groups._queue) == 3, 10)
    kit.gates.gate("gate:hold")[1].set()
    await held
    replies = await asyncio.gather(first, second, alone)

    assert [r.ok for r in replies] == [True, True, True]
    assert list(kit.bus.groups.group_sizes) == [1, 3]  # nobody went to a later group
    stored = await events_by_stream(kit.store)
    assert [version for version, _ in stored[stream_of("act-same")]] == [1, 2]
    assert len({tx for _, tx in stored[stream_of("act-same")]}) == 1


def crash_at(point: str, nth: int) -> Callable[[str], None]:
    reached: list[str] = []

    def hook(name: str) -> None:
        if name == point:
            reached.append(name)
            if len(reached) == nth:
                raise SimulatedCrash(point)

    return hook


@pytest.mark.parametrize(
    ("point", "nth"),
    # the held command's own group passes each point once before the group under test
    [("group_command_applied", 3), ("group_before_commit", 2), ("group_after_commit", 2)],
)
async def test_a_crash_anywhere_in_a_group_loses_no_acknowledged_command_and_doubles_none(
    kit: Kit, point: str, nth: int
) -> None:
    bus = kit.restart(crash_at(point, nth))
    held = await hold_the_flusher(kit)
    raws = [request(f"cmd-crash-{n}", f"act-crash-{n}") for n in range(4)]
    sent = [send(bus, raw) for raw in raws]
    await wait_until(lambda: len(bus.groups._queue) == len(raws), 10)
    kit.gates.gate("gate:hold")[1].set()
    acknowledged = await held
    outcomes = await asyncio.gather(*sent, return_exceptions=True)
    assert all(isinstance(outcome, SimulatedCrash) for outcome in outcomes)  # nobody was told anything
    before_restart = await events_by_stream(kit.store)

    restarted = kit.restart()  # the process comes back; every client resends its request
    replies = [await restarted.dispatch("outreach.log_activity", raw) for raw in raws]

    assert all(reply.ok for reply in replies)
    stored = await events_by_stream(kit.store)
    assert stored[stream_of("act-hold")] == before_restart[stream_of("act-hold")]
    assert acknowledged.ok
    assert len(stored[stream_of("act-hold")]) == 1
    assert all(len(stored[stream_of(f"act-crash-{n}")]) == 1 for n in range(4))  # each applied once
    if point == "group_after_commit":  # committed before the crash: the resends get the stored replies
        assert stored == before_restart


async def count_statements(kit: Kit, run: Callable[[], object]) -> int:
    """Statements the store's connections send while ``run`` is awaited."""
    seen: list[str] = []
    connections = [await kit.store.pool.acquire() for _ in range(4)]
    for conn in connections:
        conn.add_query_logger(lambda record: seen.append(record.query))
    for conn in connections:
        await kit.store.pool.release(conn)
    await run()  # type: ignore[misc]
    # asyncpg looks a type up once per connection, the first time a statement uses it: not the command's
    introspection = ("typeinfo", "'jit'")
    return sum(1 for query in seen if not any(word in query for word in introspection))


async def test_statements_a_command_costs_alone_and_in_a_group(kit: Kit) -> None:
    """Alone: BEGIN, one statement taking the lock, looking up the stored reply and loading the stream,
    the insert (its head check rides on the load), the stored reply, COMMIT. In a group the first two
    and COMMIT are shared and each command adds its savepoint, its insert and its stored reply."""
    await kit.bus.dispatch("outreach.log_activity", request("cmd-warm", "act-warm"))  # statements prepared

    alone = await count_statements(
        kit, lambda: kit.bus.dispatch("outreach.log_activity", request("cmd-alone", "act-warm"))
    )
    assert alone == 5

    async def a_group() -> None:
        held = await hold_the_flusher(kit)
        sent = [send(kit.bus, request(f"cmd-group-{n}", f"act-g{n}")) for n in range(8)]
        await wait_until(lambda: len(kit.bus.groups._queue) == 8, 10)
        kit.gates.gate("gate:hold")[1].set()
        await asyncio.gather(held, *sent)

    grouped = await count_statements(kit, a_group)
    assert kit.bus.groups.group_sizes[-1] == 8
    assert grouped - alone <= 3 + 3 * 8  # the held command's group is costed as a lone command


async def test_a_requester_that_stops_waiting_leaves_its_group_and_the_next_ones_working(kit: Kit) -> None:
    held = await hold_the_flusher(kit)
    gone = send(kit.bus, request("cmd-gone-away", "act-gone"))
    stays = send(kit.bus, request("cmd-stays-on", "act-stays"))
    await wait_until(lambda: len(kit.bus.groups._queue) == 2, 10)
    gone.cancel()
    kit.gates.gate("gate:hold")[1].set()
    assert (await held).ok
    assert (await asyncio.wait_for(stays, 10)).ok
    later = await kit.bus.dispatch("outreach.log_activity", request("cmd-later-on", "act-later"))
    assert later.ok
    resent = await kit.bus.dispatch("outreach.log_activity", request("cmd-gone-away", "act-gone"))
    assert resent.ok  # it was applied with its group: the resend gets the stored reply
    assert len((await events_by_stream(kit.store))[stream_of("act-gone")]) == 1

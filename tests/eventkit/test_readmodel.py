"""The read-model framework against a real PostgreSQL: counts roll up to every ancestor, a keyed row
seen twice in a batch is written once (its last value), an ordered change follows the rows before it in
the same table, and events no handler declares are left alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from contracts.duty import UnitKind, UnitRegistered, UnitRenamed
from contracts.outreach import ActivityKind, ActivityLogged
from contracts.registry import DomainEvent
from services.eventkit.db import Conn, create_pool
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, Counter, ReadModel, Rows, on, replacing
from tests.eventkit.events import event_envelope

SCHEMA = "readmodel_test"
CITY, COUNTY = "3205", "3205.320506"
TOWN = f"{COUNTY}.320506001"
TALLY = Counter("tally", (("path", "text"), ("kind", "text")), ("activities", "audience"))
NAMES = Rows(
    "names",
    (("path", "text"), ("name", "text")),
    on_conflict=replacing(("path",), ("path", "name")),
    key=("path",),
)
NOTES = Rows(
    "notes",
    (("path", "text"), ("detail", "jsonb"), ("raw", "jsonb"), ("tags", "text[]")),
    as_text=frozenset({"raw"}),
)
LOG = Rows("log", (("seq", "bigint"), ("path", "text"), ("name", "text")))


class Probe(ReadModel):
    name = "probe"

    @on(ActivityLogged)
    def logged(self, batch: Batch, event: ActivityLogged, _: Delivered) -> None:
        batch.count(TALLY, event.unit, (event.kind.value,), (1, event.audience))

    @on(UnitRegistered)
    def registered(self, batch: Batch, event: UnitRegistered, delivered: Delivered) -> None:
        batch.put(NAMES, {"path": event.path, "name": event.name})
        batch.row(LOG, delivered.seq, event.path, event.name)

    @on(UnitRenamed)
    def renamed(self, batch: Batch, event: UnitRenamed, _: Delivered) -> None:
        batch.change("log", "UPDATE {s}.log SET name = $2 WHERE path = $1", event.path, event.name)


def delivered(seq: int, event: DomainEvent) -> Delivered:
    return Delivered(seq, event_envelope(event, f"s-{seq}", 1, unit=TOWN, actor="t", source="urn:sanji:test"))


def logged(audience: int) -> ActivityLogged:
    return ActivityLogged(
        activity_id=f"a-{audience}",
        unit=TOWN,
        kind=ActivityKind.LECTURE,
        topic="宣讲",
        held_on=date(2026, 11, 3),
        audience=audience,
    )


def registered(name: str) -> UnitRegistered:
    return UnitRegistered(path=TOWN, parent=COUNTY, name=name, kind=UnitKind.TOWNSHIP_OFFICE)


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[Conn]:
    pool = await create_pool(database_url)
    async with pool.acquire() as connection:
        await connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
        await connection.execute(
            f"CREATE TABLE {SCHEMA}.tally (path text, kind text, own_activities bigint DEFAULT 0,"
            " own_audience bigint DEFAULT 0, subtree_activities bigint DEFAULT 0,"
            " subtree_audience bigint DEFAULT 0, PRIMARY KEY (path, kind));"
            f" CREATE TABLE {SCHEMA}.names (path text PRIMARY KEY, name text);"
            f" CREATE TABLE {SCHEMA}.log (seq bigint, path text, name text);"
            f" CREATE TABLE {SCHEMA}.notes (path text, detail jsonb, raw jsonb, tags text[])"
        )
        yield connection
    await pool.close()


async def test_a_count_at_a_township_counts_at_its_county_and_city(conn: Conn) -> None:
    await Probe().apply(conn, SCHEMA, [delivered(1, logged(30)), delivered(2, logged(12))])
    await Probe().apply(conn, SCHEMA, [delivered(3, logged(5))])
    rows = await conn.fetch(f"SELECT * FROM {SCHEMA}.tally ORDER BY path")
    assert [tuple(row.values()) for row in rows] == [
        (CITY, "lecture", 0, 0, 3, 47),
        (COUNTY, "lecture", 0, 0, 3, 47),
        (TOWN, "lecture", 3, 47, 3, 47),
    ]


async def test_a_keyed_row_twice_in_a_batch_keeps_the_last(conn: Conn) -> None:
    # Without the key, one upsert touching the same row twice fails in PostgreSQL.
    await Probe().apply(conn, SCHEMA, [delivered(1, registered("甲镇")), delivered(2, registered("乙镇"))])
    assert await conn.fetchval(f"SELECT name FROM {SCHEMA}.names WHERE path = $1", TOWN) == "乙镇"


async def test_a_change_follows_the_rows_before_it_in_its_table(conn: Conn) -> None:
    renamed = UnitRenamed(
        path=TOWN, name="新镇", previous_name="甲镇", effective_on=date(2026, 11, 4), reason="更名"
    )
    await Probe().apply(conn, SCHEMA, [delivered(1, registered("甲镇")), delivered(2, renamed)])
    assert [tuple(r.values()) for r in await conn.fetch(f"SELECT * FROM {SCHEMA}.log")] == [(1, TOWN, "新镇")]


def test_a_view_reads_only_the_types_it_declares() -> None:
    assert Probe.event_types == {"outreach.activity_logged", "duty.unit_registered", "duty.unit_renamed"}


async def test_json_and_array_columns_take_python_values(conn: Conn) -> None:
    # Arrays of different lengths in one statement: unnest alone would flatten or refuse them.
    batch = Batch(SCHEMA)
    batch.row(NOTES, TOWN, {"名": "甲镇", "n": [1, 2]}, '{"名":"乙镇"}', ["acknowledge", "close"])
    batch.row(NOTES, COUNTY, {}, "{}", [])
    batch.row(NOTES, CITY, {}, "{}", None)
    await batch.write(conn)
    rows = await conn.fetch(f"SELECT detail, raw, tags FROM {SCHEMA}.notes ORDER BY path DESC")
    assert [tuple(row.values()) for row in rows] == [
        ({"名": "甲镇", "n": [1, 2]}, {"名": "乙镇"}, ["acknowledge", "close"]),
        ({}, {}, []),
        ({}, {}, None),
    ]

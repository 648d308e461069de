"""The projection keeps one unit table that every view reads: a unit's registration, rename and
retirement land there once, and the upgrade folds the duty, opinion and assessment copies into it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.duty import UnitKind, UnitRegistered, UnitRetired
from contracts.registry import DomainEvent
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.projector import Delivered, ProjectorRunner
from services.projection.app import projectors
from tests.eventkit.events import event_envelope

SCHEMA = "unit_table"
COUNTY = "3205.320506"
OLD, NEW = f"{COUNTY}.320506001", f"{COUNTY}.320506002"


def delivered(seq: int, event: DomainEvent) -> Delivered:
    return Delivered(
        seq, event_envelope(event, f"unit-{seq}", 1, unit=COUNTY, actor="t", source="urn:sanji:duty")
    )


async def test_every_view_reads_the_one_unit_table(database_url: str) -> None:
    events = [
        UnitRegistered(path="3205", name="苏州市民政局", kind=UnitKind.BUREAU),
        UnitRegistered(path=COUNTY, parent="3205", name="吴中区民政局", kind=UnitKind.COUNTY_OFFICE),
        UnitRegistered(path=OLD, parent=COUNTY, name="长桥街道", kind=UnitKind.TOWNSHIP_OFFICE),
        UnitRegistered(
            path=NEW,
            parent=COUNTY,
            name="新长桥街道",
            kind=UnitKind.TOWNSHIP_OFFICE,
            effective_on=date(2026, 6, 1),
            previous_path=OLD,
        ),
        UnitRetired(path=OLD, effective_on=date(2026, 6, 1), successor=NEW, reason="合并"),
    ]
    pool = await create_pool(database_url)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, SCHEMA, service_migrations("services.projection"))
        runner = ProjectorRunner(None, pool, SCHEMA, projectors())  # type: ignore[arg-type]
        async with pool.acquire() as conn, conn.transaction():
            await runner.apply_in(conn, [delivered(n, e) for n, e in enumerate(events, 1)], len(events))
        rows = await pool.fetch(
            f"SELECT path, name, since, registered_on, retired_on, successor, previous_path"
            f" FROM {SCHEMA}.units WHERE path IN ($1, $2) ORDER BY path",
            OLD,
            NEW,
        )
        tables = await pool.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE '%units'",
            SCHEMA,
        )
    finally:
        await pool.close()
    today = rows[0]["since"]  # registered without an effective date: valid from the local day it arrived
    assert [tuple(row.values()) for row in rows] == [
        (OLD, "长桥街道", today, None, date(2026, 6, 1), NEW, None),
        (NEW, "新长桥街道", date(2026, 6, 1), date(2026, 6, 1), None, None, OLD),
    ]
    assert [row["table_name"] for row in tables] == ["units"]


async def test_the_upgrade_folds_the_copies_into_the_unit_table(database_url: str) -> None:
    migrations = service_migrations("services.projection")
    upgrade = next(i for i, m in enumerate(migrations) if m.name.endswith("050_one_unit_table.sql"))
    pool = await create_pool(database_url)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, SCHEMA, migrations[:upgrade])
            at = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 1 a.m. on 2 March in Shanghai
            await conn.execute(
                f"INSERT INTO {SCHEMA}.units (path, parent, name, kind, level, registered_at)"
                " VALUES ($1, $2, '新镇', 'township_office', 'township', $3),"
                " ($4, $2, '老镇', 'township_office', 'township', $3)",
                NEW,
                COUNTY,
                at,
                OLD,
            )
            await conn.execute(
                f"INSERT INTO {SCHEMA}.duty_units (path, parent, name, kind, registered_on, previous_path)"
                " VALUES ($1, $2, '新镇', 'township_office', '2026-06-01', $3)",
                NEW,
                COUNTY,
                OLD,
            )
            await conn.execute(
                f"INSERT INTO {SCHEMA}.opinion_units (path, parent, name, kind, since)"
                " VALUES ($1, $2, '新镇', 'township_office', '2026-06-01')",
                NEW,
                COUNTY,
            )
            await migrate(conn, SCHEMA, migrations)
            rows = await conn.fetch(
                f"SELECT path, since, registered_on, previous_path FROM {SCHEMA}.units ORDER BY path"
            )
    finally:
        await pool.close()
    assert [tuple(row.values()) for row in rows] == [
        (OLD, date(2026, 3, 2), None, None),
        (NEW, date(2026, 6, 1), date(2026, 6, 1), OLD),
    ]

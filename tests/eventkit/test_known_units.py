"""The one way a write-side service knows units (services/eventkit/knownunits.py), on a real PostgreSQL:
the same table in outreach, opinion and assessment, kept by one handler from duty's unit events, and the
lookups handlers use; each service's migration carries the rows of its old table over."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from contracts.duty import UnitKind, UnitRegistered, UnitRenamed, UnitRetired
from services import registry
from services.eventkit.db import create_pool
from services.eventkit.knownunits import KnownUnits
from services.eventkit.migrations import Migration, migrate, service_migrations

# The services that learn units from duty: those whose tables keep the shared table.
SERVICES = tuple(
    info.name
    for info in registry.with_event_store()
    if hasattr(importlib.import_module(f"services.{info.name}.tables"), "UNITS")
)
CITY, COUNTY, TOWN, OTHER = "3205", "3205.320506", "3205.320506.320506001", "3205.320506.320506002"
COLUMNS = ["path", "parent", "name", "kind", "valid_from", "valid_to", "successor", "learned_at"]


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url)
    try:
        yield pool
    finally:
        await pool.close()


async def _migrated(pool: asyncpg.Pool, service: str) -> KnownUnits:
    async with pool.acquire() as conn:
        await migrate(conn, service, service_migrations(f"services.{service}"))
    return KnownUnits(service)


def _registered(path: str, name: str, kind: UnitKind, on: date | None = None) -> UnitRegistered:
    return UnitRegistered(path=path, name=name, kind=kind, effective_on=on)


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_keeps_the_same_table_and_answers_the_same_lookups(
    pool: asyncpg.Pool, service: str
) -> None:
    units = await _migrated(pool, service)
    async with pool.acquire() as conn:
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = 'known_units' ORDER BY ordinal_position",
            service,
        )
        assert [row["column_name"] for row in columns] == COLUMNS
        for event in (
            _registered(CITY, "苏州市民政局", UnitKind.BUREAU),
            _registered(COUNTY, "吴中区民政局", UnitKind.COUNTY_OFFICE),
            _registered(TOWN, "长桥街道", UnitKind.TOWNSHIP_OFFICE, date(2026, 1, 1)),
            _registered(OTHER, "城南街道", UnitKind.TOWNSHIP_OFFICE, date(2026, 1, 1)),
            UnitRenamed(
                path=OTHER,
                name="城南新街道",
                previous_name="城南街道",
                effective_on=date(2026, 2, 1),
                reason="更名",
            ),
            UnitRetired(path=OTHER, successor=TOWN, effective_on=date(2026, 6, 1), reason="撤并"),
        ):
            assert await units.learn(conn, event)
            assert await units.learn(conn, event)  # learning an event twice changes nothing more

        assert await units.known(conn, OTHER)
        assert not await units.known(conn, "3205.320507")
        assert await units.known_among(conn, [CITY, OTHER, "3205.320507"]) == {CITY, OTHER}
        assert await units.active_on(conn, OTHER, date(2026, 5, 31))
        assert not await units.active_on(conn, OTHER, date(2026, 6, 1))  # retired from that day
        assert not await units.active_on(conn, TOWN, date(2025, 12, 31))  # not yet registered then
        assert await units.active_on(conn, CITY, date(1990, 1, 1))  # existed before records began
        assert await units.successor(conn, OTHER) == TOWN
        assert await units.successor(conn, TOWN) is None
        assert await units.names(conn, [OTHER, COUNTY]) == {OTHER: "城南新街道", COUNTY: "吴中区民政局"}
        assert await units.children_not_retired_on(conn, COUNTY, date(2026, 7, 1)) == [TOWN]
        assert await units.children_not_retired_on(conn, COUNTY, date(2026, 3, 1)) == [TOWN, OTHER]

        # A path registered again after its retirement starts a new life.
        await units.learn(conn, _registered(OTHER, "城南街道", UnitKind.TOWNSHIP_OFFICE, date(2026, 9, 1)))
        assert await units.active_on(conn, OTHER, date(2026, 9, 1))
        assert await units.successor(conn, OTHER) is None


async def test_a_chain_of_merges_leads_to_the_last_successor_and_a_loop_ends(pool: asyncpg.Pool) -> None:
    units = await _migrated(pool, "opinion")
    a, b, c = (f"{COUNTY}.32050600{i}" for i in (1, 2, 3))
    async with pool.acquire() as conn:
        for path in (a, b, c):
            await units.learn(conn, _registered(path, path, UnitKind.TOWNSHIP_OFFICE))
        await units.learn(
            conn, UnitRetired(path=a, successor=b, effective_on=date(2026, 1, 1), reason="撤并")
        )
        await units.learn(
            conn, UnitRetired(path=b, successor=c, effective_on=date(2026, 2, 1), reason="撤并")
        )
        assert await units.successor(conn, a) == c
        await units.learn(
            conn, UnitRetired(path=c, successor=a, effective_on=date(2026, 3, 1), reason="撤并")
        )
        assert await units.successor(conn, a) in {b, c}  # bad data: a loop is cut, never followed forever


# What each service's old table may hold besides path, name and kind (their 001 migrations differ).
OLD_EXTRAS = {"parent": COUNTY, "scored": True, "retired_on": date(2026, 6, 1)}


@pytest.mark.parametrize("service", SERVICES)
async def test_the_migration_carries_the_old_rows_over(pool: asyncpg.Pool, service: str) -> None:
    migrations = service_migrations(f"services.{service}")
    shared = next(m for m in migrations if m.name.endswith("_shared_known_units.sql"))
    before: list[Migration] = migrations[: migrations.index(shared)]
    async with pool.acquire() as conn:
        await migrate(conn, service, before)
        old_columns = {
            row["column_name"]
            for row in await conn.fetch(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = $1 AND table_name = 'known_units'",
                service,
            )
        }
        extras = {column: value for column, value in OLD_EXTRAS.items() if column in old_columns}
        columns = ["path", "name", "kind", *extras]
        await conn.execute(
            f"INSERT INTO {service}.known_units ({', '.join(columns)})"
            f" VALUES ({', '.join(f'${i}' for i in range(1, len(columns) + 1))})",
            TOWN,
            "长桥街道",
            "township_office",
            *extras.values(),
        )
        await migrate(conn, service, migrations)
        unit = await KnownUnits(service).get(conn, TOWN)
    assert unit is not None
    assert (unit.parent, unit.name, unit.kind) == (COUNTY, "长桥街道", "township_office")
    retired = extras.get("retired_on")  # outreach never kept retirements
    assert (unit.valid_from, unit.valid_to, unit.successor) == (None, retired, None)
    assert "retired_on" in old_columns or service == "outreach"

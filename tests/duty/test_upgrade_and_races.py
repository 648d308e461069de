"""Duty's store across releases and under concurrency: units registered before this release (stored
as unit_registered v1) are upcast and backfilled into the lookup tables, and a post vacated while an
outlet is being registered to it never leaves that outlet unflagged."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime

from contracts.duty import OutletKind, RegisterOutlet, UnitRegistered, VacatePost
from contracts.envelope import EventEnvelope, dataschema_for, new_event_id
from contracts.registry import REGISTRY
from services.duty.handlers.outlets import register_outlet
from services.duty.handlers.posts import vacate_post
from services.eventkit.commanding import CommandContext, append_decisions
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from tests.duty.support import CITY, WUZHONG, ok, post
from tests.helpers import wait_until
from tests.stack import client, running


def v1_unit(path: str, name: str, kind: str, parent: str | None) -> EventEnvelope:
    return EventEnvelope(
        id=new_event_id(),
        source="urn:sanji:duty",
        type="duty.unit_registered",
        time=datetime(2025, 1, 2, tzinfo=UTC),
        subject=f"unit:{path}",
        dataschema=dataschema_for("duty.unit_registered", 1),
        unitpath=path,
        actor="admin@3205",
        correlationid="upgrade",
        streamversion=1,
        typeversion=1,
        data={"path": path, "name": name, "kind": kind, "parent": parent},
    )


async def test_units_stored_by_the_previous_release_are_upcast_and_backfilled(
    nats_url: str, database_url: str
) -> None:
    old = [
        v1_unit("3205", "苏州市民政局", "bureau", None),
        v1_unit(WUZHONG, "吴中区民政局", "county_office", "3205"),
    ]
    assert REGISTRY.decode(old[1]) == UnitRegistered(
        path=WUZHONG,
        name="吴中区民政局",
        kind="county_office",
        parent="3205",
        effective_on=None,
        previous_path=None,
    )
    pool = await create_pool(database_url, max_size=2)
    try:
        async with pool.acquire() as conn:
            await migrate(
                conn, "duty", service_migrations(None)
            )  # the previous release had no sql/ of its own
        store = PostgresEventStore(pool, "duty")
        for envelope in old:
            await store.append(envelope.subject, 0, [envelope])
    finally:
        await pool.close()
    async with running(nats_url, database_url, "duty") as (duty,), client(nats_url) as sanji:
        assert [tuple(r) for r in await duty.pool.fetch("SELECT path, kind FROM duty.units ORDER BY 1")] == [
            ("3205", "bureau"),
            (WUZHONG, "county_office"),
        ]
        township = {"path": f"{WUZHONG}.320506001", "name": "长桥街道", "kind": "township_office"}
        await ok(sanji, "duty.register_unit", township)
        await post(sanji, "wz-io", WUZHONG, "information_officer", ("W001", "王芳"), "2025-01-02")


async def test_a_post_vacated_while_an_outlet_is_being_registered_to_it_flags_that_outlet(
    nats_url: str, database_url: str
) -> None:
    """Registration holds the owner post's row lock until it commits; the vacancy waits for it and so
    sees the new outlet (without the lock it would commit first and leave the outlet unflagged)."""
    async with running(nats_url, database_url, "duty") as (duty,), client(nats_url) as sanji:
        for path, name, kind in (
            ("3205", "苏州市民政局", "bureau"),
            (WUZHONG, "吴中区民政局", "county_office"),
        ):
            await ok(sanji, "duty.register_unit", {"path": path, "name": name, "kind": kind})
        await post(sanji, "wz-io", WUZHONG, "information_officer", ("W001", "王芳"), "2025-01-02")
        register = RegisterOutlet(
            outlet_id="o-board",
            unit=WUZHONG,
            kind=OutletKind.BULLETIN_BOARD,
            name="宣传栏",
            owner_post_id="wz-io",
            effective_on=date(2025, 7, 1),
        )
        vacate = VacatePost(post_id="wz-io", unit=WUZHONG, effective_on=date(2025, 7, 1), reason="调任")
        now = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)
        async with duty.pool.acquire() as first, duty.pool.acquire() as second:
            registering = contextlib.AsyncExitStack()  # a writer transaction held open until committed
            await registering.enter_async_context(duty.store.writers.writing(first))
            ctx = CommandContext(first, duty.store, CITY, now)
            await append_decisions(ctx, await register_outlet(ctx, register), "duty")

            async def vacating() -> list[str]:
                async with duty.store.writers.writing(second):
                    other = CommandContext(second, duty.store, CITY, now)
                    decided = await vacate_post(other, vacate)
                    await append_decisions(other, decided, "duty")
                    return [decision.stream_id for decision in decided]

            vacancy = asyncio.create_task(vacating())

            async def blocked() -> bool:  # the vacancy waits on a lock (had it finished, it saw no outlet)
                return bool(await duty.pool.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"))

            await wait_until(blocked, timeout=10, message="the vacancy did not wait for the post's lock")
            assert not vacancy.done()
            await registering.aclose()  # commits
            assert await vacancy == ["post:wz-io", "outlet:o-board"]

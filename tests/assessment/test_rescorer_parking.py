"""A fact the rescorer cannot score (dated year 0001, put straight into the store past every validation)
is retried a bounded number of times, then parked with its reason, while every other unit and period goes
on being scored; `sanji dlq list | retry | discard` shows, sends back and removes the parked items."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from prometheus_client import REGISTRY as METRICS
from typer.testing import CliRunner, Result

from contracts.assessment import Metric, SchemeAdopted
from contracts.duty import UnitRegistered
from contracts.outreach import ActivityLogged
from contracts.registry import DomainEvent
from services.assessment import tables
from services.assessment.domain.facts import Fact
from services.assessment.reactions import learn
from services.assessment.rescorer import Rescorer
from services.cli.main import app
from services.eventkit.commanding import Decision, envelopes_for
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from tests.assessment.kit import STUDY_SCHEME
from tests.helpers import wait_until

CITY, COUNTY = "3205", "3205.320506"
TOWN_A, TOWN_B = "3205.320506.320506001", "3205.320506.320506002"
NOW = datetime(2026, 3, 5, 2, tzinfo=UTC)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=6)
    async with pool.acquire() as conn:
        await migrate(conn, "assessment", service_migrations("services.assessment"))
    yield pool
    await pool.close()


async def feed(pool: asyncpg.Pool, event: DomainEvent) -> None:
    """One event through the reaction's handler, in its own transaction, as the consumer runs it."""
    [envelope] = envelopes_for(
        "test",
        Decision("test", 0, CITY, [event]),
        actor_id="t",
        correlation_id="c",
        causation_id=None,
        now=NOW,
    )
    async with pool.acquire() as conn, conn.transaction():
        await learn(conn, envelope)


async def study(pool: asyncpg.Pool, activity_id: str, unit: str) -> None:
    body = {"activity_id": activity_id, "unit": unit, "kind": "central_group_study", "topic": "理论学习"}
    await feed(pool, ActivityLogged.model_validate({**body, "held_on": "2026-03-02", "audience": 12}))


async def setting_up(pool: asyncpg.Pool) -> PostgresEventStore:
    await feed(pool, UnitRegistered(path=CITY, name="苏州市民政局", kind="bureau"))
    await feed(pool, UnitRegistered(path=COUNTY, name="吴中区民政局", kind="county_office", parent=CITY))
    for town, name in ((TOWN_A, "长桥街道"), (TOWN_B, "越溪街道")):
        await feed(pool, UnitRegistered(path=town, name=name, kind="township_office", parent=COUNTY))
    store = PostgresEventStore(pool, "assessment")
    adopted = SchemeAdopted.model_validate(
        {"unit": CITY, "year": 2026, "scheme_version": 1, "scheme": STUDY_SCHEME}
    )
    envelopes = envelopes_for(
        "test",
        Decision("scheme:2026", 0, CITY, [adopted]),
        actor_id="t",
        correlation_id="c",
        causation_id=None,
        now=NOW,
    )
    await store.append("scheme:2026", 0, envelopes)
    return store


async def poison(pool: asyncpg.Pool) -> None:
    """An activity of year 0001, written straight into the fact store (no contract ever saw it)."""
    fact = Fact(
        "activity:poison", Metric.ACTIVITY, TOWN_A, date(1, 1, 1), {"kind": "central_group_study"}, ()
    )
    async with pool.acquire() as conn, conn.transaction():
        await tables.put_fact(conn, fact)


async def own_score(pool: asyncpg.Pool, unit: str, period: str) -> float | None:
    found: float | None = await pool.fetchval(
        "SELECT own FROM assessment.scores WHERE unit = $1 AND period = $2", unit, period
    )
    return found


async def parked(pool: asyncpg.Pool) -> dict[str, asyncpg.Record]:
    rows = await pool.fetch("SELECT * FROM assessment.parked ORDER BY id")
    return {row["item"]: row for row in rows}


def failures(outcome: str) -> float:
    found = METRICS.get_sample_value(
        "sanji_worker_failures_total", {"worker": "assessment-rescorer", "outcome": outcome}
    )
    return found or 0.0


async def test_a_poison_fact_is_parked_while_other_units_keep_being_scored(pool: asyncpg.Pool) -> None:
    parked_before, retried_before = failures("park"), failures("retry")
    store = await setting_up(pool)
    await poison(pool)
    await study(pool, "a-1", TOWN_A)
    rescorer = Rescorer(store, scope=CITY, clock=lambda: NOW, budget=3)
    await rescorer.drain()
    # The poison's periods failed once and rest; every other unit-period was scored in the same batch.
    assert await own_score(pool, TOWN_A, "2026-03") == 10
    assert await own_score(pool, TOWN_B, "2026-03") == 8  # one study short
    assert await rescorer.parking.attempts(f"{TOWN_A}@1-01") == 1

    await study(pool, "b-1", TOWN_B)  # a fact arriving while the poison is being retried is scored
    await rescorer.drain()
    assert await own_score(pool, TOWN_B, "2026-03") == 10

    async def all_parked() -> bool:
        await rescorer.drain()
        return len(await parked(pool)) == 9  # month, quarter, year of the town and both offices above

    await wait_until(all_parked, timeout=30, message="the poison's periods were never parked")
    items = await parked(pool)
    assert set(items) == {
        f"{unit}@{period}" for unit in (TOWN_A, COUNTY, CITY) for period in ("1-01", "1-Q1", "1")
    }
    town = items[f"{TOWN_A}@1-01"]
    assert (town["worker"], town["attempts"]) == ("assessment-rescorer", 3)
    assert town["reason"] == "ValueError: '1-01' is not a period: write 2025, 2025-Q2 or 2025-04"
    assert await pool.fetchval("SELECT count(*) FROM assessment.dirty") == 0  # nothing left blocking
    assert await rescorer.backlog() == 0
    assert await rescorer.parking.count() == 9
    assert failures("park") - parked_before == 9  # what operators see in Prometheus
    assert failures("retry") - retried_before == 9 * 2
    assert METRICS.get_sample_value("sanji_parked_items", {"worker": "assessment-rescorer"}) == 9
    assert METRICS.get_sample_value("sanji_worker_backlog", {"worker": "assessment-rescorer"}) == 0

    await study(pool, "b-2", TOWN_B)  # and scoring goes on after parking
    await feed(
        pool,
        UnitRegistered(path=f"{COUNTY}.320506003", name="郭巷街道", kind="township_office", parent=COUNTY),
    )
    await rescorer.drain()
    assert await pool.fetchval("SELECT count(*) FROM assessment.dirty") == 0


async def sanji(database_url: str, *args: str) -> Result:
    runner = CliRunner()
    return await asyncio.to_thread(
        lambda: runner.invoke(app, ["dlq", *args], env={"DATABASE_URL": database_url})
    )


async def test_sanji_dlq_lists_retries_and_discards_a_parked_rescorer_item(
    pool: asyncpg.Pool, database_url: str
) -> None:
    store = await setting_up(pool)
    await poison(pool)
    rescorer = Rescorer(store, scope=CITY, clock=lambda: NOW, budget=1)  # parked at the first failure
    await rescorer.drain()
    items = await parked(pool)
    month, year = items[f"{TOWN_A}@1-01"], items[f"{TOWN_A}@1"]

    listed = await sanji(database_url, "list")
    assert listed.exit_code == 0, listed.output
    assert f"assessment/{month['id']}  assessment-rescorer  {TOWN_A}@1-01  attempts=1" in listed.output
    assert "ValueError: '1-01' is not a period" in listed.output

    retried = await sanji(database_url, "retry", f"assessment/{month['id']}")
    assert retried.exit_code == 0, retried.output
    assert "sent back to assessment-rescorer" in retried.output
    assert await rescorer.parking.retry_requested(rescorer.redo_parked) == 1  # what the running worker does
    assert f"{TOWN_A}@1-01" not in await parked(pool)
    dirty = await pool.fetch("SELECT unit, period FROM assessment.dirty")
    assert [(row["unit"], row["period"]) for row in dirty] == [(TOWN_A, "1-01")]  # to be scored afresh

    discarded = await sanji(database_url, "discard", f"assessment/{year['id']}")
    assert discarded.exit_code == 0, discarded.output
    assert f"{TOWN_A}@1" not in await parked(pool)
    assert len(await parked(pool)) == 7

    missing = await sanji(database_url, "discard", f"assessment/{year['id']}")
    assert missing.exit_code == 1
    assert f"no parked item assessment/{year['id']}" in missing.output
    nonsense = await sanji(database_url, "retry", "1; DROP TABLE x")
    assert nonsense.exit_code == 1
    assert "is not a parked item's name" in nonsense.output

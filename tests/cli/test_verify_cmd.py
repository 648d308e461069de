"""`sanji verify` covers the store of every registered service that keeps one, alone or all at once, and
names the service and the first broken link."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from services import registry
from services.cli.main import app
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.settings import ServiceSettings
from tests.eventkit.events import batch

STORES = registry.with_event_store()


async def sanji_verify(database_url: str, *args: str) -> tuple[int, str]:
    runner = CliRunner()
    done = await asyncio.to_thread(
        runner.invoke, app, ["verify", *args], env={"DATABASE_URL": database_url, "COLUMNS": "200"}
    )
    return done.exit_code, done.output


@pytest.fixture
async def stores(database_url: str) -> str:
    """Every service's store migrated, with two streams of three events each."""
    pool = await create_pool(database_url, max_size=2)
    try:
        for info in STORES:
            assert info.schema is not None
            definition = info.create_app(ServiceSettings(database_url=database_url)).definition
            async with pool.acquire() as conn:
                await migrate(conn, info.schema, service_migrations(definition.migrations_package))
            store = PostgresEventStore(pool, info.schema)
            for stream in ("a", "b"):
                await store.append(stream, 0, batch(stream, 0, 3))
    finally:
        await pool.close()
    return database_url


async def test_verify_without_a_name_checks_every_store(stores: str) -> None:
    code, output = await sanji_verify(stores)
    assert code == 0, output
    for info in STORES:
        assert f"{info.name}: 2 streams, 6 events checked" in output
    assert "every chain is intact" in output


@pytest.mark.parametrize("info", STORES, ids=lambda info: info.name)
async def test_verify_names_a_broken_link_in_each_store(stores: str, info: registry.ServiceInfo) -> None:
    code, output = await sanji_verify(stores, info.name)
    assert (code, output.count("events checked")) == (0, 1), output
    pool = await create_pool(stores, max_size=1)
    try:
        await pool.execute(
            f"UPDATE {info.schema}.events SET envelope = jsonb_set(envelope, '{{data,audience}}', '999')"
            " WHERE stream_id = 'b' AND stream_version = 2"
        )
    finally:
        await pool.close()
    for args in ((info.name,), ()):  # alone, and among all the stores
        code, output = await sanji_verify(stores, *args)
        assert code == 1
        assert f"broken link in {info.name}: stream b version 2" in output


async def test_a_service_without_a_store_is_refused_naming_those_with_one(stores: str) -> None:
    code, output = await sanji_verify(stores, "projection")
    assert code == 1
    assert "unknown service 'projection'; choose one of: duty, outreach, opinion, assessment" in output
    assert "Traceback" not in output

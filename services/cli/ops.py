"""Operator commands: parked items, hash-chain verification, projection rebuild."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from services import registry
from services.cli import endpoints

T = TypeVar("T")
DataDir = Annotated[Path, typer.Option("--data-dir", help="where `sanji up` keeps its data")]

dlq = typer.Typer(
    help="Parked items: events, timers and scores a worker gave up on after its retries, with the reason.",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(1)


async def _with_nats(data_dir: Path, work: Callable[..., Awaitable[T]]) -> T:
    import nats

    nc = await nats.connect(endpoints.nats_url(data_dir), connect_timeout=5, max_reconnect_attempts=1)
    try:
        return await work(nc.jetstream())
    finally:
        await nc.close()


async def _with_database(data_dir: Path, work: Callable[..., Awaitable[T]]) -> T:
    from services.eventkit.db import connect

    conn = await connect(endpoints.database_url(data_dir))
    try:
        return await work(conn)
    finally:
        await conn.close()


@dlq.command("list")
def dlq_list(limit: int = 100, data_dir: DataDir = endpoints.DEFAULT_DATA_DIR) -> None:
    """List parked items of every service: name, worker, item, attempts and the reason."""
    from services.eventkit.deadletters import list_parked

    items = asyncio.run(_with_database(data_dir, lambda conn: list_parked(conn, limit)))
    if not items:
        typer.echo("nothing parked")
    for item in items:
        retry = "  (retry requested)" if item.retry_requested else ""
        typer.echo(
            f"{item.ref}  {item.worker}  {item.item}  attempts={item.attempts}"
            f"  parked {item.parked_at:%Y-%m-%d %H:%M:%S}Z{retry}\n    {item.reason}"
        )


@dlq.command("retry")
def dlq_retry(name: str, data_dir: DataDir = endpoints.DEFAULT_DATA_DIR) -> None:
    """Send parked item NAME (schema/id, as listed) back to its worker for another try."""
    from services.eventkit.deadletters import NoSuchParkedItem, request_retry

    try:
        item = asyncio.run(_with_database(data_dir, lambda conn: request_retry(conn, name)))
    except NoSuchParkedItem as error:
        raise _fail(str(error)) from None
    typer.echo(f"{name} sent back to {item.worker}; it leaves the list once applied")


@dlq.command("discard")
def dlq_discard(name: str, data_dir: DataDir = endpoints.DEFAULT_DATA_DIR) -> None:
    """Remove parked item NAME for good: it will have no effect."""
    from services.eventkit.deadletters import NoSuchParkedItem, discard_parked

    try:
        item = asyncio.run(_with_database(data_dir, lambda conn: discard_parked(conn, name)))
    except NoSuchParkedItem as error:
        raise _fail(str(error)) from None
    typer.echo(f"{name} ({item.worker}, {item.item}) discarded")


def verify(
    service: Annotated[
        str | None, typer.Argument(help="one service's store; every store when left out")
    ] = None,
    data_dir: DataDir = endpoints.DEFAULT_DATA_DIR,
) -> None:
    """Check the hash chains of SERVICE's event store (of every store without SERVICE); name the first broken link."""
    from services.eventkit.chaincheck import verify_chains
    from services.eventkit.db import create_pool

    try:
        stores = registry.with_event_store() if service is None else (registry.store(service),)
    except registry.UnknownService as error:
        raise _fail(str(error)) from None

    async def check() -> list[str]:
        broken: list[str] = []
        pool = await create_pool(endpoints.database_url(data_dir), max_size=2)
        try:
            for info in stores:
                assert info.schema is not None  # every service with an event store owns a schema
                report = await verify_chains(pool, info.schema)
                typer.echo(f"{info.name}: {report.streams} streams, {report.events} events checked")
                if report.broken is not None:
                    broken.append(f"{info.name}: {report.broken}")
        finally:
            await pool.close()
        return broken

    if broken := asyncio.run(check()):
        raise _fail("\n".join(f"broken link in {link}" for link in broken))
    typer.echo("every chain is intact")


def rebuild(data_dir: DataDir = endpoints.DEFAULT_DATA_DIR) -> None:
    """Rebuild the projection from the first event into a fresh copy, then swap it in."""
    from services.eventkit.db import create_pool
    from services.projection.rebuild import rebuild_projection

    async def run() -> int:
        pool = await create_pool(endpoints.database_url(data_dir), max_size=4)
        try:
            report = await _with_nats(data_dir, lambda js: rebuild_projection(js, pool))
        finally:
            await pool.close()
        return report.checkpoint

    checkpoint = asyncio.run(run())
    typer.echo(f"projection rebuilt up to stream sequence {checkpoint} and swapped in")


def register(app: typer.Typer) -> None:
    """Add the operator commands to ``app``."""
    app.add_typer(dlq, name="dlq")
    app.command("verify")(verify)
    app.command("rebuild")(rebuild)

"""`sanji backup DIR` and `sanji restore DIR`: a site's schemas and streams (services/eventkit/sitebackup.py)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from services.cli import endpoints
from services.cli.supervisor import recorded_process

DataDir = Annotated[Path, typer.Option("--data-dir", help="where `sanji up` keeps its data")]


def _fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(1)


@contextmanager
def site_servers(data_dir: Path) -> Iterator[tuple[str, str]]:
    """NATS_URL and DATABASE_URL when set; else the data folder's embedded servers, started for the
    command when no `sanji up` runs there (a fresh folder gets fresh servers)."""
    if os.environ.get("NATS_URL") and os.environ.get("DATABASE_URL"):
        yield os.environ["NATS_URL"], os.environ["DATABASE_URL"]
        return
    if recorded_process(data_dir / "run" / "up.pid") is not None:
        yield endpoints.nats_url(data_dir), endpoints.database_url(data_dir)
        return
    from services.eventkit.embedded import EmbeddedStack

    with EmbeddedStack(data_dir.resolve()) as stack:
        yield stack.nats_url, stack.database_url


def backup(
    directory: Annotated[Path, typer.Argument(help="a new folder for the backup")],
    data_dir: DataDir = endpoints.DEFAULT_DATA_DIR,
) -> None:
    """Back up every service's schema and the JetStream streams into DIRECTORY (the site may keep running)."""
    from services.eventkit.sitebackup import BACKUP_ERRORS, backup_site

    try:
        with site_servers(data_dir) as (nats_url, database_url):
            manifest = asyncio.run(backup_site(nats_url, database_url, directory))
    except BACKUP_ERRORS as error:
        raise _fail(str(error)) from None
    events = sum(int(store["events"]) for store in manifest["stores"].values())
    streams = ", ".join(f"{s['name']} (last seq {s['state']['last_seq']})" for s in manifest["streams"])
    typer.echo(
        f"backed up {len(manifest['schemas'])} schemas ({events} stored events) and {streams} to {directory}"
    )


def restore(
    directory: Annotated[Path, typer.Argument(help="a folder written by `sanji backup`")],
    data_dir: DataDir = endpoints.DEFAULT_DATA_DIR,
    replace: Annotated[
        bool, typer.Option("--replace", help="drop the site's schemas and streams first")
    ] = False,
) -> None:
    """Restore a backup into a site whose services are stopped (a fresh one unless --replace)."""
    from services.eventkit.sitebackup import BACKUP_ERRORS, restore_site

    if (owner := recorded_process(data_dir / "run" / "up.pid")) is not None:
        raise _fail(f"sanji up runs on {data_dir} as pid {owner.pid}; stop it before restoring")
    try:
        with site_servers(data_dir) as (nats_url, database_url):
            report = asyncio.run(restore_site(nats_url, database_url, directory, replace=replace))
    except BACKUP_ERRORS as error:
        raise _fail(str(error)) from None
    typer.echo(
        f"restored schemas {', '.join(report.schemas)} and streams {', '.join(report.streams)};"
        f" {report.removed_from_stream} events published after the dump point removed from the stream,"
        f" {report.to_relay} left for the relays to publish"
    )


def register(app: typer.Typer) -> None:
    """Add `sanji backup` and `sanji restore` to ``app``."""
    app.command("backup")(backup)
    app.command("restore")(restore)

"""`sanji tokens`: create, list, revoke and rotate the gateway's bearer tokens. A new secret is printed
alone on the last line (and never again: only its sha256 is stored); the gateway sees every change
within about two seconds, without a restart."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import asyncpg
import typer

from contracts.commands import Role
from services.cli import endpoints
from services.gateway.tokens import DEV_SECRET, TokenError, TokenRecord, TokenStore, describe
from services.gateway.tokens_file import ensure_dev_token

T = TypeVar("T")
DataDir = Annotated[Path, typer.Option("--data-dir", help="where `sanji up` keeps its data")]
Which = Annotated[str, typer.Argument(help="the token's name or id (see `sanji tokens list`)")]
DURATION = re.compile(r"^([1-9][0-9]{0,4})([hdw])\Z")
UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}
DEFAULT_EXPIRY = "90d"  # a forgotten token stops by itself; `--expires never` for one that must not

tokens = typer.Typer(
    help="Bearer tokens for the gateway: create, list, revoke, rotate.", no_args_is_help=True
)


def expiry(text: str, now: datetime) -> datetime | None:
    """``90d``, ``12h``, ``2w`` from ``now``, or None for ``never``; typer.BadParameter otherwise."""
    if text == "never":
        return None
    found = DURATION.match(text)
    if found is None:
        raise typer.BadParameter("a duration such as 90d, 12h or 2w, or never", param_hint="--expires")
    return now + timedelta(hours=int(found[1]) * UNIT_HOURS[found[2]])


async def with_store(database_url: str, work: Callable[[TokenStore], Awaitable[T]]) -> T:
    """Run ``work`` on a token store opened (and migrated) for it alone."""
    store = await TokenStore.open(database_url, max_size=1)
    try:
        return await work(store)
    finally:
        await store.close()


def _run(data_dir: Path, work: Callable[[TokenStore], Awaitable[T]]) -> T:
    """Run ``work`` on the site's token store; a refusal or a missing database exits 1 with the reason."""
    try:
        return asyncio.run(with_store(endpoints.database_url(data_dir), work))
    except (TokenError, endpoints.NoServers, OSError, asyncpg.PostgresError) as error:
        typer.secho(f"sanji tokens: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None


def _announce(what: str, record: TokenRecord, secret: str) -> None:
    shown = describe(record, datetime.now(UTC))
    typer.echo(
        f"{what} token {shown['name']} (id {shown['id']}): unit {shown['unit']}, roles {shown['roles']},"
        f" expires {shown['expires']}"
    )
    typer.echo("The secret below is shown only this once; send it as Authorization: Bearer <secret>")
    typer.echo(secret)


@tokens.command("create")
def create(
    unit: Annotated[str, typer.Option("--unit", help="the subtree it acts in, e.g. 3205.320506")],
    role: Annotated[list[Role], typer.Option("--role", help="a role; repeat for more")],
    expires: Annotated[str, typer.Option("--expires", help="90d, 12h, 2w or never")] = DEFAULT_EXPIRY,
    name: Annotated[str | None, typer.Option("--name", help="who or what it is for (unique)")] = None,
    data_dir: DataDir = endpoints.DEFAULT_DATA_DIR,
) -> None:
    """Create a token; its secret is printed alone on the last line."""
    until = expiry(expires, datetime.now(UTC))
    roles = [r.value for r in role]
    record, secret = _run(
        data_dir, lambda store: store.create(unit=unit, roles=roles, name=name, expires_at=until)
    )
    _announce("created", record, secret)


@tokens.command("list")
def list_tokens(data_dir: DataDir = endpoints.DEFAULT_DATA_DIR) -> None:
    """Every token: id, name, unit, roles, expiry, last use and state (never a secret)."""
    now = datetime.now(UTC)
    rows = [describe(record, now) for record in _run(data_dir, lambda store: store.all())]
    if not rows:
        typer.echo("no tokens yet: `sanji tokens create --unit U --role R`")
        return
    columns = ("id", "name", "unit", "roles", "expires", "last_use", "state")
    widths = {c: max(len(c), *(len(str(row[c])) for row in rows)) for c in columns}
    typer.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        typer.echo("  ".join(str(row[c]).ljust(widths[c]) for c in columns).rstrip())


@tokens.command("revoke")
def revoke(which: Which, data_dir: DataDir = endpoints.DEFAULT_DATA_DIR) -> None:
    """Revoke a token for good; the gateway refuses it within seconds."""
    record = _run(data_dir, lambda store: store.revoke(which))
    typer.echo(f"revoked token {record.name} (id {record.id})")


@tokens.command("rotate")
def rotate(which: Which, data_dir: DataDir = endpoints.DEFAULT_DATA_DIR) -> None:
    """Give a token a new secret (printed alone on the last line); the old one stops working."""
    record, secret = _run(data_dir, lambda store: store.rotate(which))
    _announce("rotated", record, secret)


def ensure_dev_token_in(database_url: str, city: str) -> str:
    """Store the development city-admin token unless it is there (what `sanji up` does); its secret."""
    asyncio.run(with_store(database_url, lambda store: ensure_dev_token(store, city)))
    return DEV_SECRET


def register(app: typer.Typer) -> None:
    """Add `sanji tokens` to ``app``."""
    app.add_typer(tokens, name="tokens")

"""`sanji tokens` against a running gateway: a token the CLI creates works at once; revoked, expired or
rotated-away secrets are refused within seconds with no restart; a viewer reads but never commands."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from typer.testing import CliRunner

from contracts.commands import Actor, Role
from services.cli.main import app
from services.gateway.app import GatewayRuntime
from services.gateway.tokens import SCHEMA, TokenStore
from tests.gateway.support import activity, bearer, register_units
from tests.helpers import wait_until

REFUSED_WITHIN = 6.0  # the cache holds a lookup two seconds; the rest is slack for a loaded machine


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", database_url)  # found as the operator commands find it
    return CliRunner()


async def sanji(cli: CliRunner, *args: str) -> list[str]:
    """Run `sanji <args>` (in a thread: it runs its own event loop); its output lines."""
    result = await asyncio.to_thread(cli.invoke, app, list(args))
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def store_of(gateway: GatewayRuntime) -> TokenStore:
    assert gateway.tokens is not None
    return gateway.tokens


async def status(http: httpx.AsyncClient, secret: str) -> int:
    return (await http.get("/api/v1/units", headers=bearer(secret))).status_code


async def refused_soon(http: httpx.AsyncClient, secret: str) -> float:
    """Seconds until the gateway answers 401 for ``secret``; fails past REFUSED_WITHIN."""
    started = time.monotonic()

    async def refused() -> bool:
        return await status(http, secret) == 401

    await wait_until(refused, timeout=REFUSED_WITHIN, message="the token was still accepted")
    return time.monotonic() - started


async def test_a_token_created_with_the_cli_works_and_its_secret_is_never_listed(
    cli: CliRunner, gateway: GatewayRuntime, http: httpx.AsyncClient
) -> None:
    lines = await sanji(cli, "tokens", "create", "--unit", "3205.320506", "--role", "clerk", "--name", "王芳")
    secret = lines[-1]
    assert secret.startswith("sanji_")
    assert " " not in secret
    assert await status(http, secret) == 200
    listed = "\n".join(await sanji(cli, "tokens", "list"))
    assert "王芳" in listed
    assert "3205.320506" in listed
    assert "active" in listed
    assert secret not in listed
    record = await store_of(gateway).find("王芳")
    assert record.last_used_at is not None  # its first use is recorded
    assert record.expires_at is not None  # 90 days unless told otherwise


async def test_a_revoked_token_is_refused_within_seconds_without_a_restart(
    cli: CliRunner, http: httpx.AsyncClient
) -> None:
    lines = await sanji(cli, "tokens", "create", "--unit", "3205", "--role", "leader", "--name", "zhao")
    secret = lines[-1]
    assert await status(http, secret) == 200
    await sanji(cli, "tokens", "revoke", "zhao")
    await refused_soon(http, secret)
    assert "revoked" in "\n".join(await sanji(cli, "tokens", "list"))


async def test_an_expired_token_is_refused(
    cli: CliRunner, gateway: GatewayRuntime, http: httpx.AsyncClient
) -> None:
    secret = (await sanji(cli, "tokens", "create", "--unit", "3205", "--role", "viewer", "--expires", "1h"))[
        -1
    ]
    assert await status(http, secret) == 200
    await store_of(gateway).pool.execute(  # an hour later
        f"UPDATE {SCHEMA}.tokens SET expires_at = now() - interval '1 second' WHERE expires_at IS NOT NULL"
    )
    await refused_soon(http, secret)
    assert "expired" in "\n".join(await sanji(cli, "tokens", "list"))


async def test_rotation_refuses_the_old_secret_and_accepts_the_new(
    cli: CliRunner, http: httpx.AsyncClient
) -> None:
    old = (await sanji(cli, "tokens", "create", "--unit", "3205", "--role", "clerk", "--name", "sun"))[-1]
    assert await status(http, old) == 200
    new = (await sanji(cli, "tokens", "rotate", "sun"))[-1]
    assert new != old
    assert new.startswith("sanji_")
    assert await status(http, new) == 200
    await refused_soon(http, old)
    assert await status(http, new) == 200


async def test_cli_refusals_say_why(cli: CliRunner) -> None:
    for args, complaint in [
        (["create", "--unit", "3205.9", "--role", "clerk"], "unit"),
        (["create", "--unit", "3205", "--role", "clerk", "--expires", "soon"], "90d"),
        (["revoke", "nobody"], "no token"),
    ]:
        result = await asyncio.to_thread(cli.invoke, app, ["tokens", *args])
        assert result.exit_code != 0
        assert complaint in result.output


async def test_a_viewer_reads_but_cannot_send_commands(
    cli: CliRunner, gateway: GatewayRuntime, http: httpx.AsyncClient
) -> None:
    await register_units(http)
    viewer = (await sanji(cli, "tokens", "create", "--unit", "3205.320506", "--role", "viewer"))[-1]
    read = await http.get("/api/v1/units/3205.320506", headers=bearer(viewer))
    assert read.status_code == 200, read.text
    body = activity("viewer-0001", "3205.320506", 10)
    sent = await http.post("/api/v1/commands/outreach/log_activity", json=body, headers=bearer(viewer))
    assert sent.status_code == 403
    assert sent.json()["error"]["fields"][0]["field"] == "actor.roles"
    upload = await http.post("/api/v1/outreach/evidence", content=b"x", headers=bearer(viewer))
    assert upload.status_code == 403
    # Around the gateway, straight onto the bus: no command allows the viewer role either.
    sanji_client = gateway.app.state.sanji
    as_viewer = Actor(id="viewer", scope="3205.320506", roles=frozenset({Role.VIEWER}))
    reply = await sanji_client.send("outreach.log_activity", body, as_viewer)
    assert not reply.ok
    assert reply.error is not None
    assert reply.error.code == "forbidden"
    listed = await http.get("/api/v1/outreach/units/3205.320506/activities", headers=bearer(viewer))
    assert listed.json()["activities"] == []

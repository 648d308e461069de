"""Failures reach people as JSON or a friendly page: a service that is down, and an unexpected error."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx

from services.gateway.app import create_app
from services.gateway.auth import TokenAuthority
from services.gateway.settings import GatewaySettings
from services.gateway.tokens import TokenStore
from tests.gateway.support import CITY_TOKEN, TOKENS, bearer, register_units
from tests.stack import running


async def test_a_service_that_is_down_is_503_not_a_hang(
    nats_url: str, database_url: str, tmp_path: Path
) -> None:
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(TOKENS), encoding="utf-8")
    async with running(nats_url, database_url, "duty"):  # no outreach, no projection
        runtime = create_app(
            GatewaySettings(
                nats_url=nats_url, database_url=database_url, http_port=0, tokens_file=tokens_file
            )
        )
        await runtime.start()
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runtime.http_port}") as http:
                await register_units(http, until_projected=False)  # duty answers
                read = await http.get("/api/v1/units/3205", headers=bearer(CITY_TOKEN))
                assert read.status_code == 503
                assert read.json()["error"]["code"] == "unavailable"
                command = await http.post(
                    "/api/v1/commands/outreach/log_activity", json={}, headers=bearer(CITY_TOKEN)
                )
                assert command.status_code == 503
                await http.post("/login", data={"token": CITY_TOKEN})
                page = await http.get("/")
                assert page.status_code == 503
                assert "服务暂不可用" in page.text
        finally:
            await runtime.stop()


class BrokenClient:
    """Stands in for the NATS client when something unexpected goes wrong inside the gateway."""

    async def query(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("boom: secret internals")

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom: secret internals")


async def test_unexpected_errors_never_show_a_traceback(database_url: str) -> None:
    app = create_app(GatewaySettings(http_port=0)).app  # not started: no NATS, the client below instead
    store = await TokenStore.open(database_url)
    await store.ensure(name="admin@3205", secret=CITY_TOKEN, unit="3205", roles=["admin"])
    app.state.authority = TokenAuthority(store)
    app.state.sanji = BrokenClient()
    transport = httpx.ASGITransport(app=app)  # an exception raised past the boundary fails the test
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        api = await http.get("/api/v1/units", headers=bearer(CITY_TOKEN))
        assert api.status_code == 500
        error = api.json()["error"]
        assert (error["code"], error["fields"]) == ("internal", [])
        assert re.fullmatch(
            r"the request could not be completed \(error id [0-9a-f]{16}, .*\)", error["message"]
        )
        http.cookies.set("sanji_token", CITY_TOKEN)
        page = await http.get("/units/3205", params={"lang": "en"})
        assert page.status_code == 500
        assert "Internal error" in page.text
        assert "boom" not in page.text
        assert "Traceback" not in page.text
        wrong_method = await http.get("/api/v1/commands/duty/register_unit", headers=bearer(CITY_TOKEN))
        assert wrong_method.status_code == 405
        assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    await store.close()


async def test_an_unexpected_error_is_a_500_with_an_id_and_the_connection_stays_open(
    nats_url: str, database_url: str
) -> None:
    """Two requests on one keep-alive connection both get the JSON 500; a server that dropped the
    connection after the first (as after a re-raised exception) fails the second read."""
    runtime = create_app(GatewaySettings(nats_url=nats_url, database_url=database_url, http_port=0))
    await runtime.start()
    assert runtime.tokens is not None
    await runtime.tokens.ensure(name="admin@3205", secret=CITY_TOKEN, unit="3205", roles=["admin"])
    runtime.app.state.sanji = BrokenClient()
    reader, writer = await asyncio.open_connection("127.0.0.1", runtime.http_port)
    try:
        request = f"GET /api/v1/units HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {CITY_TOKEN}\r\n\r\n"
        for _ in range(2):
            writer.write(request.encode())
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            assert head.startswith(b"HTTP/1.1 500"), head
            length = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
            assert length is not None
            body = await asyncio.wait_for(reader.readexactly(int(length.group(1))), 10)
            assert b"error id" in body
            assert b"boom" not in body
    finally:
        writer.close()
        await runtime.stop()

"""Every line every service writes is a JSON object: its own logs, FastStream's, uvicorn's, warnings and
whatever else reaches stdout or stderr — while serving commands, a refused command and queries, and
while stopping."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.eventkit.embedded import free_port
from tests.helpers import wait_until
from tests.up_process import Up, assert_every_log_line_is_json

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
TOKEN = "dev-city-admin"


@pytest.fixture
def up() -> Iterator[Up]:
    folder = Path(tempfile.mkdtemp(prefix="sanji-logs-"))
    run = Up(folder / "data", free_port(), "up")
    yield run
    run.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


async def test_every_log_line_of_every_service_is_json(up: Up) -> None:
    await up.wait_ready()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=up.url, headers=headers, timeout=30) as http:
        for path, kind in (("3205", "bureau"), ("3205.320506", "county_office")):
            answer = await http.post(
                "/api/v1/commands/duty/register_unit",
                json={"path": path, "name": f"单位{path}", "kind": kind},
            )
            assert answer.status_code == 200, answer.text
        refused = await http.post("/api/v1/commands/outreach/log_activity", json={"audience": "many"})
        assert refused.status_code == 422

        async def city_projected() -> bool:  # the projection learns the unit from duty's event a moment later
            return (await http.get("/api/v1/units/3205")).status_code == 200

        await wait_until(city_projected, message="the city never reached the projection")
        assert (await http.get("/api/v1/duty/units/3205")).status_code in (200, 404)
        assert (await http.get("/api/v1/units/9999")).status_code in (403, 404)
        assert (await http.get("/no-such-page")).status_code == 404
    assert up.interrupt() == 0, up.output()
    assert_every_log_line_is_json(up.data_dir)

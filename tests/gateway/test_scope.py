"""Scoped everywhere: outside the actor's subtree, a unit, an activity, a case, an evidence file or a
command's target is the same 404 as one that does not exist, and the answer names no other unit."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.gateway.auth import TOKEN_COOKIE
from tests.gateway.support import (
    CITY_TOKEN,
    COUNTY_TOKEN,
    activity,
    bearer,
    first_activity,
    register_units,
    running_gateway,
)
from tests.helpers import wait_until
from tests.opinion.support import item

WUZHONG, XIANGCHENG = "3205.320506", "3205.320507"
OTHER_NAMES = ("相城区民政局", "苏州市民政局", "3205.320506.", "3205.320507.")


@pytest.fixture
async def http(
    nats_url: str, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("SANJI_FILES_DIR", str(tmp_path / "files"))
    services = ("duty", "outreach", "opinion", "projection")
    async with (
        running_gateway(nats_url, database_url, tmp_path, services) as runtime,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{runtime.http_port}", timeout=30) as client,
    ):
        yield client


def alike(outside: httpx.Response, missing: httpx.Response, asked: str, missing_id: str) -> None:
    """Both 404, word for word the same once each names what was asked, and nothing else named."""
    assert outside.status_code == missing.status_code == 404, (outside.text, missing.text)
    assert outside.json() == _renamed(missing.json(), missing_id, asked)
    for other in OTHER_NAMES:
        assert other not in outside.text.replace(asked, ""), other


def _renamed(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {key: _renamed(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed(item, old, new) for item in value]
    return value.replace(old, new) if isinstance(value, str) else value


async def get(http: httpx.AsyncClient, path: str, token: str = COUNTY_TOKEN) -> httpx.Response:
    return await http.get(path, headers=bearer(token))


async def upload(http: httpx.AsyncClient, data: bytes, token: str, **params: str) -> dict[str, Any]:
    response = await http.post(
        "/api/v1/outreach/evidence",
        params=params,
        content=data,
        headers={**bearer(token), "Content-Type": "image/jpeg"},
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def report_case(http: httpx.AsyncClient, case_id: str) -> None:
    """The city reports a case in 相城, once opinion has learned the units from duty's events."""
    body = item(case_id, XIANGCHENG, datetime.now(UTC) - timedelta(hours=1))

    async def reported() -> bool:
        response = await http.post("/api/v1/commands/opinion/report", json=body, headers=bearer(CITY_TOKEN))
        return response.status_code == 200

    await wait_until(reported, message="opinion never learned the units")


async def test_evidence_downloads_only_within_the_unit_it_was_uploaded_for(http: httpx.AsyncClient) -> None:
    photo = b"\xff\xd8\xff" + bytes(range(256)) * 8
    sha = hashlib.sha256(photo).hexdigest()
    stored = await upload(http, photo, CITY_TOKEN, unit=XIANGCHENG, filename="相城区签到表.jpg")
    assert (stored["sha256"], stored["unit"]) == (sha, XIANGCHENG)
    assert (await get(http, stored["url"], CITY_TOKEN)).content == photo  # the city's subtree holds it
    outside = await get(http, stored["url"])  # a county clerk of 吴中 who learned the hash
    missing = await get(http, "/api/v1/outreach/evidence/" + "0" * 64)
    alike(outside, missing, sha, "0" * 64)
    # The same bytes uploaded by 吴中 are theirs too, under their own file name, and only that.
    mine = await upload(http, photo, COUNTY_TOKEN, filename="签到表.jpg")
    assert mine["unit"] == WUZHONG
    download = await get(http, mine["url"])
    assert download.content == photo
    assert "%E7%9B%B8%E5%9F%8E" not in download.headers["content-disposition"]  # not 相城's name
    refused = await http.post(
        "/api/v1/outreach/evidence", params={"unit": XIANGCHENG}, content=b"x", headers=bearer(COUNTY_TOKEN)
    )
    assert refused.status_code == 404  # cannot upload for a unit outside the scope either


async def test_reads_outside_the_scope_are_the_same_404_as_missing_ones(http: httpx.AsyncClient) -> None:
    await register_units(http)
    await first_activity(http, activity("act-xc-0001", XIANGCHENG, 12))
    for route in ("/api/v1/units/{}", "/api/v1/outreach/units/{}/summary", "/api/v1/duty/units/{}"):
        outside = await get(http, route.format(XIANGCHENG))
        alike(outside, await get(http, route.format("3205.320599")), XIANGCHENG, "3205.320599")
    for route in ("/api/v1/units/{}", "/api/v1/opinion/units/{}"):  # a unit above is outside too
        alike(
            await get(http, route.format("3205")),
            await get(http, route.format("3205.320599")),
            "3205",
            "3205.320599",
        )

    async def projected() -> bool:
        return (await get(http, "/api/v1/outreach/activities/act-xc-0001", CITY_TOKEN)).status_code == 200

    await wait_until(projected, message="the activity never reached the projection")
    outside = await get(http, "/api/v1/outreach/activities/act-xc-0001")
    alike(outside, await get(http, "/api/v1/outreach/activities/act-none-01"), "act-xc-0001", "act-none-01")

    await report_case(http, "case-xc-0001")

    async def case_projected() -> bool:
        return (await get(http, "/api/v1/opinion/cases/case-xc-0001", CITY_TOKEN)).status_code == 200

    await wait_until(case_projected, message="the case never reached the projection")
    outside = await get(http, "/api/v1/opinion/cases/case-xc-0001")
    alike(outside, await get(http, "/api/v1/opinion/cases/case-none-01"), "case-xc-0001", "case-none-01")


async def command(http: httpx.AsyncClient, name: str, body: dict[str, Any]) -> httpx.Response:
    return await http.post(f"/api/v1/commands/{name}", json=body, headers=bearer(COUNTY_TOKEN))


async def test_commands_on_what_lies_outside_the_scope_are_the_same_404(http: httpx.AsyncClient) -> None:
    await register_units(http)
    await first_activity(http, activity("act-xc-0002", XIANGCHENG, 12))
    log = "outreach/log_activity"
    outside = await command(http, log, activity("act-wz-0009", XIANGCHENG, 3))
    missing = await command(http, log, activity("act-wz-0009", "3205.320599", 3))
    alike(outside, missing, XIANGCHENG, "3205.320599")
    # Another county's activity, corrected "through" the clerk's own unit, reads as a missing one.
    correction = {"unit": WUZHONG, "audience": 1, "reason": "更正人次"}
    outside = await command(http, "outreach/correct_activity", {"activity_id": "act-xc-0002", **correction})
    missing = await command(http, "outreach/correct_activity", {"activity_id": "act-none-02", **correction})
    alike(outside, missing, "act-xc-0002", "act-none-02")

    await report_case(http, "case-xc-0002")
    acknowledge = {"unit": WUZHONG}
    outside = await command(http, "opinion/acknowledge", {"case_id": "case-xc-0002", **acknowledge})
    missing = await command(http, "opinion/acknowledge", {"case_id": "case-none-02", **acknowledge})
    alike(outside, missing, "case-xc-0002", "case-none-02")


async def test_list_pages_downloads_and_summaries_outside_the_scope_are_404(http: httpx.AsyncClient) -> None:
    """The pages and downloads a clerk reaches from a unit page: another county's is a 404, as a missing
    unit's, and names nothing of it."""
    await register_units(http)
    await first_activity(http, activity("act-xc-0002", XIANGCHENG, 12))
    cookies = {TOKEN_COOKIE: COUNTY_TOKEN}
    routes = (
        "/opinion/units/{}/cases",
        "/opinion/units/{}/cases.xlsx",
        "/outreach/units/{}/activities",
        "/outreach/units/{}/activities.xlsx",
        "/summaries/{}?period=2026",
        "/api/v1/summaries/{}?period=2026&format=xlsx",
    )
    for route in routes:
        own = await http.get(route.format(WUZHONG), cookies=cookies, headers=bearer(COUNTY_TOKEN))
        assert own.status_code == 200, (route, own.text[:300])
        outside = await http.get(route.format(XIANGCHENG), cookies=cookies, headers=bearer(COUNTY_TOKEN))
        missing = await http.get(route.format("3205.320599"), cookies=cookies, headers=bearer(COUNTY_TOKEN))
        assert outside.status_code == missing.status_code == 404, (
            route,
            outside.status_code,
            missing.status_code,
        )
        assert "相城区民政局" not in outside.text, route

"""Three-level linkage over HTTP: the city dispatches down to a county, the county passes it to a
township, the township escalates back up; every move is an event with who and why; each level sees
the cases of its subtree (and no other), through the gateway's opinion API and pages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.helpers import wait_until
from tests.opinion.builders import CITY, COUNTY, OTHER_COUNTY, PLAN_LIMITS, TOWN, TOWN2
from tests.opinion.support import UNITS, item
from tests.stack import running

TOKENS = {
    "city-leader-token": {"id": "leader@3205", "scope": CITY, "roles": ["admin", "clerk", "leader"]},
    "county-clerk-token": {"id": "clerk@320506", "scope": COUNTY, "roles": ["clerk"]},
    "town-clerk-token": {"id": "clerk@320506001", "scope": TOWN, "roles": ["clerk"]},
    "other-clerk-token": {"id": "clerk@320507", "scope": OTHER_COUNTY, "roles": ["clerk"]},
}
CASE = "case-link-0001"


@pytest.fixture
async def http(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(TOKENS), encoding="utf-8")
    async with running(nats_url, database_url, "duty", "opinion", "projection"):
        gateway = create_app(
            GatewaySettings(
                nats_url=nats_url, database_url=database_url, http_port=0, tokens_file=tokens_file
            )
        )
        await gateway.start()
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=20
            ) as client:
                yield client
        finally:
            await gateway.stop()


async def command(
    http: httpx.AsyncClient, name: str, body: dict[str, Any], token: str = "city-leader-token"
) -> httpx.Response:
    return await http.post(
        f"/api/v1/commands/opinion/{name}", json=body, headers={"Authorization": f"Bearer {token}"}
    )


async def ok(
    http: httpx.AsyncClient, name: str, body: dict[str, Any], token: str = "city-leader-token"
) -> None:
    response = await command(http, name, body, token)
    assert response.status_code == 200, (name, response.text)


async def get(http: httpx.AsyncClient, path: str, token: str = "city-leader-token") -> httpx.Response:
    return await http.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_dispatch_down_escalate_up_and_each_level_sees_its_subtree(http: httpx.AsyncClient) -> None:
    for path, name, kind in UNITS:
        response = await http.post(
            "/api/v1/commands/duty/register_unit",
            json={"path": path, "name": name, "kind": kind},
            headers={"Authorization": "Bearer city-leader-token"},
        )
        assert response.status_code == 200, response.text
    await ok(http, "adopt_response_plan", {"unit": CITY, "limits": PLAN_LIMITS, "note": "2026年舆情应急预案"})

    async def reported() -> bool:
        body = item(CASE, CITY, datetime.now(UTC) - timedelta(hours=2))
        return (await command(http, "report", body)).status_code == 200

    await wait_until(reported, message="opinion never learned the units")
    ids = {"case_id": CASE}
    grade = {"relevant": True, "category": "social_assistance", "severity": "III", "owning_unit": TOWN}
    await ok(http, "grade", {**ids, "unit": CITY, **grade})
    await ok(http, "assign", {**ids, "unit": CITY, "to_unit": COUNTY, "note": "请吴中区核实"})
    await ok(http, "acknowledge", {**ids, "unit": COUNTY}, "county-clerk-token")
    await ok(
        http,
        "assign",
        {**ids, "unit": COUNTY, "to_unit": TOWN, "note": "转长桥街道办理"},
        "county-clerk-token",
    )
    wrong = await command(http, "acknowledge", {**ids, "unit": TOWN2}, "county-clerk-token")
    assert wrong.status_code == 403
    assert (
        "only 3205.320506.320506001, to which it is assigned, can acknowledge"
        in wrong.json()["error"]["message"]
    )
    outside = await command(http, "acknowledge", {**ids, "unit": TOWN}, "other-clerk-token")
    assert outside.status_code == 404  # a clerk of another county cannot act for this township
    await ok(
        http, "escalate", {**ids, "unit": TOWN, "reason": "涉及多部门，超出街道处置能力"}, "town-clerk-token"
    )
    illegal = await command(http, "acknowledge", {**ids, "unit": TOWN}, "town-clerk-token")
    assert illegal.status_code == 422
    assert (
        "is graded: it cannot acknowledge now; allowed now: grade, assign, return, escalate" in illegal.text
    )

    async def timeline() -> list[dict[str, Any]]:
        response = await get(http, f"/api/v1/opinion/cases/{CASE}")
        return list(response.json().get("timeline", [])) if response.status_code == 200 else []

    await wait_until(lambda: _has(timeline(), 6), message="the projection never showed the escalation")
    moves = [
        (
            e["type"],
            e["actor"],
            e["unit"],
            e["detail"].get("to_unit"),
            e["detail"].get("note") or e["detail"].get("reason"),
        )
        for e in await timeline()
    ]
    assert moves[2:] == [
        ("assigned", "leader@3205", CITY, COUNTY, "请吴中区核实"),
        ("acknowledged", "clerk@320506", COUNTY, None, None),
        ("assigned", "clerk@320506", COUNTY, TOWN, "转长桥街道办理"),
        ("escalated", "clerk@320506001", TOWN, COUNTY, "涉及多部门，超出街道处置能力"),
    ]
    case = (await get(http, f"/api/v1/opinion/cases/{CASE}", "county-clerk-token")).json()
    assert (case["state"], case["desk"], case["assignee"]) == ("graded", COUNTY, None)

    for token, visible in (("city-leader-token", 1), ("county-clerk-token", 1), ("town-clerk-token", 1)):
        scope = TOKENS[token]["scope"]
        listed = (await get(http, f"/api/v1/opinion/units/{scope}/cases", token)).json()
        assert listed["total"] == visible, token
    assert (await get(http, f"/api/v1/opinion/units/{OTHER_COUNTY}/cases", "other-clerk-token")).json()[
        "total"
    ] == 0
    assert (await get(http, f"/api/v1/opinion/cases/{CASE}", "other-clerk-token")).status_code == 404
    assert (await get(http, f"/api/v1/opinion/units/{CITY}", "county-clerk-token")).status_code == 404

    stats = (
        await get(
            http, f"/api/v1/opinion/units/{COUNTY}?period={datetime.now(UTC).year}", "county-clerk-token"
        )
    ).json()
    assert (stats["subtree"]["incidents"], stats["subtree"]["open"], stats["subtree"]["by_severity"]) == (
        1,
        1,
        {"III": 1},
    )
    assert [child["path"] for child in stats["children"]] == [TOWN, TOWN2]
    assert (await get(http, f"/api/v1/opinion/units/{COUNTY}?period=2026-13")).status_code == 422
    plans = (await get(http, "/api/v1/opinion/plans")).json()
    assert plans["versions"][0]["note"] == "2026年舆情应急预案"

    # The pages, in Chinese by default.
    await http.post("/login", data={"token": "county-clerk-token", "next": "/"})
    page = await http.get(f"/opinion/units/{COUNTY}")
    assert page.status_code == 200
    assert "舆情事件" in page.text
    assert "网传养老院护工推搡老人" in page.text
    detail = await http.get(f"/opinion/cases/{CASE}")
    assert detail.status_code == 200
    assert "升级/上报" in detail.text
    assert "涉及多部门，超出街道处置能力" in detail.text
    assert "长桥街道" in detail.text  # units by name, not by code
    assert f'<td class="code">{TOWN}' not in detail.text
    english = await http.get(f"/opinion/cases/{CASE}", params={"lang": "en"})
    assert "Timeline" in english.text


async def _has(entries: Any, count: int) -> bool:
    return len(await entries) >= count

"""The assessment page of a bureau whose scheme scores its departments: the departments' scores in a
table of their own, ranked among themselves, by name and in the page's language (zh-CN and English),
and absent from the offices' ranking."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.gateway.app import GatewayRuntime
from tests.browser.chromium import LAPTOP, chromium, shoot
from tests.gateway.support import CITY_TOKEN, DEMO_TOKEN, bearer, register_units, running_gateway
from tests.helpers import wait_until

CITY, PERIOD = "3205", "2026-Q1"
DEPTS = [("3205.dept01", "办公室", 90), ("3205.dept02", "社会救助处", 75)]
SCHEME = {
    "title": "2026年度考核",
    "indicators": [{"id": "work", "name": "日常工作", "kind": "manual", "points": 100}],
    "also_scores": ["department"],
}


async def command(http: httpx.AsyncClient, name: str, body: dict[str, object]) -> httpx.Response:
    return await http.post(f"/api/v1/commands/{name}", json=body, headers=bearer(DEMO_TOKEN))


async def departments_scored(http: httpx.AsyncClient) -> None:
    await register_units(http)
    for path, name, _ in DEPTS:
        body: dict[str, object] = {"path": path, "name": name, "kind": "department"}
        assert (await command(http, "duty/register_unit", body)).status_code == 200
    adopt = {"unit": CITY, "year": 2026, "scheme": SCHEME}

    async def adopted_and_entered() -> bool:  # assessment learns the departments from duty's events
        await command(http, "assessment/adopt_scheme", adopt)
        for path, _, points in DEPTS:
            entry = {"unit": path, "period": PERIOD, "indicator_id": "work", "points": points, "note": "扎实"}
            if (await command(http, "assessment/enter_manual_score", entry)).status_code != 200:
                return False
        return True

    await wait_until(adopted_and_entered, message="assessment never scored the departments")

    async def shown() -> bool:
        found = await http.get(
            f"/api/v1/assessment/units/{CITY}", params={"period": PERIOD}, headers=bearer(CITY_TOKEN)
        )
        return found.status_code == 200 and len(found.json().get("sections", [])) == len(DEPTS)

    await wait_until(shown, message="the departments' scores never reached the view")


async def test_a_bureaus_page_ranks_its_scored_departments_apart(
    nats_url: str, database_url: str, tmp_path: Path
) -> None:
    services = ("duty", "outreach", "assessment", "projection")
    async with running_gateway(nats_url, database_url, tmp_path, services) as runtime:
        base = f"http://127.0.0.1:{runtime.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            await departments_scored(http)
        await look(runtime, base)


async def look(runtime: GatewayRuntime, base: str) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport=LAPTOP)
        await page.goto(f"{base}/login")
        await page.fill("input[name=token]", CITY_TOKEN)
        await page.click("button[type=submit]")
        for lang, heading in [("zh", "科室和局属单位排名"), ("en", "Sections and affiliated units ranked")]:
            query = f"period={PERIOD}" + ("&lang=en" if lang == "en" else "")
            await page.goto(f"{base}/assessment/units/{CITY}?{query}")
            assert heading in await page.inner_text("body")
            rows = await page.eval_on_selector_all(
                "#sections tbody tr", "rows => rows.map(r => r.innerText.split('\\t').map(t => t.trim()))"
            )
            assert [(row[0], row[1], row[2]) for row in rows] == [
                ("1", "办公室", "90"),
                ("2", "社会救助处", "75"),
            ]
            children = await page.inner_text("body")
            assert children.count("办公室") == 1  # not among the offices' ranking
            await shoot(page, f"assessment-sections-{lang}")

"""The assessment part of `sanji demo` against a real stack: the example scheme is adopted, manual scores
entered, and every finished quarter's city bulletin published, ranking counties and townships."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx

from services.cli.demo import Seeder, demo_units, seed_demo
from services.cli.demo_assessment import finished_quarters, seed_assessment
from tests.gateway.support import CITY_TOKEN, bearer, running_gateway
from tests.helpers import wait_until

SERVICES = ("duty", "outreach", "assessment", "projection")


def test_finished_quarters_are_those_over_by_today() -> None:
    assert [q.label for q in finished_quarters(2026, date(2026, 10, 1))] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert finished_quarters(2026, date(2026, 3, 31)) == []


async def test_the_demo_publishes_ranked_quarterly_bulletins(
    nats_url: str, database_url: str, tmp_path: Path
) -> None:
    async with running_gateway(nats_url, database_url, tmp_path, SERVICES) as gateway:
        url = f"http://127.0.0.1:{gateway.http_port}"
        await seed_demo(url, CITY_TOKEN, 120, echo=lambda _line: None)
        lines: list[str] = []
        async with httpx.AsyncClient(base_url=url, headers=bearer(CITY_TOKEN), timeout=30) as http:
            units = demo_units()
            today = date(2026, 7, 15)  # Q1 and Q2 are over
            await seed_assessment(http, Seeder(http), units, today, lines.append)
            assert "published the 2026-Q2 bulletin" in lines

            async def both_listed() -> bool:
                found = (await http.get("/api/v1/assessment/bulletins/3205")).json()
                return {b["period"] for b in found.get("bulletins", [])} >= {"2026-Q1", "2026-Q2"}

            await wait_until(both_listed, message="the bulletins never reached the projection")
            listed = (await http.get("/api/v1/assessment/bulletins/3205")).json()
            bulletin = (await http.get("/api/v1/assessment/bulletins/3205/2026-Q1")).json()
            counties = [row for row in bulletin["rows"] if row["parent"] == "3205"]
            assert len(counties) == 5
            assert sorted(row["rank"] for row in counties)[0] == 1
            assert all(0 <= row["total"] <= 102 for row in bulletin["rows"])  # 100 points and a 2-point bonus
            assert all(row["unit"].count(".") <= 2 for row in bulletin["rows"])  # bulletins rank offices

            async def sections_scored() -> bool:  # the example scheme scores the bureau's sections too
                found = (await http.get("/api/v1/assessment/units/3205", params={"period": "2026-Q1"})).json()
                return bool(found.get("sections"))

            await wait_until(sections_scored, message="the demo's sections were never scored")

            again: list[str] = []
            await seed_assessment(
                http, Seeder(http), units, today, again.append
            )  # a second run changes nothing
            assert not any(line.startswith("published") for line in again)
            listed_again = (await http.get("/api/v1/assessment/bulletins/3205")).json()
            assert len(listed_again["bulletins"]) == len(listed["bulletins"])

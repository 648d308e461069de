"""Assessment end to end: commands on NATS → assessment's scores and bulletins → the projection's API;
a projection rebuild answers exactly the same."""

from __future__ import annotations

from typing import Any

import nats

from services.eventkit.client import SanjiClient
from services.eventkit.db import create_pool
from services.projection.rebuild import rebuild_projection
from tests.assessment.kit import ASSESSOR, CITY, COUNTY, SCHEME, TOWN_A, TOWN_B, ok, study
from tests.helpers import wait_until
from tests.stack import client, running


async def answer(sanji: SanjiClient, name: str, params: dict[str, Any]) -> dict[str, Any]:
    found = await sanji.query(f"projection.assessment.{name}", params)
    result: dict[str, Any] = found.get("result") or {}
    result.pop("freshness", None)
    return result


async def test_scores_and_bulletins_show_in_the_projection_and_survive_a_rebuild(
    nats_url: str, database_url: str
) -> None:
    async with (
        running(nats_url, database_url, "duty", "outreach", "assessment", "projection"),
        client(nats_url) as sanji,
    ):
        for path, name, kind in [
            (CITY, "苏州市民政局", "bureau"),
            (COUNTY, "吴中区民政局", "county_office"),
            (TOWN_A, "长桥街道", "township_office"),
            (TOWN_B, "郭巷街道", "township_office"),
        ]:
            await ok(sanji, "duty.register_unit", {"path": path, "name": name, "kind": kind})
        await ok(sanji, "assessment.adopt_scheme", {"unit": CITY, "year": 2026, "scheme": SCHEME}, ASSESSOR)
        for activity_id, unit, day in [
            ("study-a-0101", TOWN_A, "2026-01-08"),
            ("study-a-0201", TOWN_A, "2026-02-08"),
            ("study-a-0301", TOWN_A, "2026-03-05"),
            ("study-b-0101", TOWN_B, "2026-01-09"),
        ]:
            await study(sanji, activity_id, unit, day)

        async def county_scored(total: float) -> bool:
            score = (await answer(sanji, "unit", {"path": COUNTY, "period": "2026-Q1"})).get("score") or {}
            return bool(score.get("total") == total)

        # A: 10 of 20 (quota met, no manual); B: 10 − 2 × 2 = 6; county own 4 → 4×½ + 8×½ = 6.
        await wait_until(
            lambda: county_scored(6.0), message="the county's Q1 score never reached the projection"
        )
        await ok(sanji, "assessment.publish_bulletin", {"unit": CITY, "period": "2026-Q1"}, ASSESSOR)

        async def published() -> bool:
            found = await answer(sanji, "bulletin", {"path": CITY, "period": "2026-Q1"})
            return bool(found.get("rows"))

        await wait_until(published, message="the bulletin never reached the projection")
        bulletin = await answer(sanji, "bulletin", {"path": CITY, "period": "2026-Q1"})
        ranks = {row["unit"]: row["rank"] for row in bulletin["rows"]}
        assert (ranks[TOWN_A], ranks[TOWN_B], ranks[COUNTY]) == (1, 2, 1)
        county = await answer(sanji, "unit", {"path": COUNTY, "period": "2026-Q1"})
        assert county["score"]["frozen"] is True
        assert [child["unit"] for child in county["children"]] == [TOWN_A, TOWN_B]

        pool = await create_pool(database_url, max_size=4)
        nc = await nats.connect(nats_url)
        try:
            await rebuild_projection(nc.jetstream(), pool)
        finally:
            await nc.close()
            await pool.close()
        assert await answer(sanji, "bulletin", {"path": CITY, "period": "2026-Q1"}) == bulletin
        assert await answer(sanji, "unit", {"path": COUNTY, "period": "2026-Q1"}) == county

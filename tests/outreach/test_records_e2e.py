"""Field surveys and awards through NATS and PostgreSQL, counted by the month they happened, rolled up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from services.eventkit.localtime import local_date
from tests.helpers import wait_until
from tests.outreach.support import TOWNSHIP, register_units
from tests.stack import CITY_ADMIN, client, running


async def test_surveys_and_awards_are_counted_with_problems_found_and_solved(
    nats_url: str, database_url: str
) -> None:
    day = local_date(datetime.now(UTC)) - timedelta(days=2)
    survey = {
        "survey_id": "survey-e2e-0001",
        "unit": TOWNSHIP,
        "held_on": day.isoformat(),
        "led_by": "张明",
        "topic": "阵地管理调研",
        "places": ["便民服务中心"],
        "problems": [{"description": "宣传栏内容陈旧", "solved": True}, {"description": "无专人审核"}],
    }
    award = {
        "award_id": "award-e2e-0001",
        "unit": TOWNSHIP,
        "kind": "best_grassroots_worker",
        "title": "最美基层民政人",
        "recipient": "李华",
        "awarded_by": "苏州市民政局",
        "awarded_on": day.isoformat(),
    }
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        await register_units(sanji)
        for name, body in (("record_field_survey", survey), ("record_award", award)):
            reply = await sanji.send(f"outreach.{name}", body, CITY_ADMIN)
            assert reply.ok, reply.error
        again = await sanji.send("outreach.record_award", award, CITY_ADMIN, command_id="another-key-01")
        assert again.error is not None
        assert again.error.code == "conflict"

        conn = await asyncpg.connect(database_url)
        try:
            month = day.replace(day=1)

            async def counted() -> bool:
                surveys = await conn.fetchrow(
                    "SELECT subtree_surveys, subtree_problems_found, subtree_problems_solved"
                    " FROM projection.survey_monthly WHERE path = '3205' AND month = $1",
                    month,
                )
                awards = await conn.fetchval(
                    "SELECT subtree_awards FROM projection.award_monthly WHERE path = '3205' AND month = $1"
                    " AND kind = 'best_grassroots_worker'",
                    month,
                )
                return surveys is not None and tuple(surveys) == (1, 2, 1) and awards == 1

            await wait_until(counted, message="the surveys and awards were never counted")
        finally:
            await conn.close()

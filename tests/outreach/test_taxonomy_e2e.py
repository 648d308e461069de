"""The activity taxonomy through NATS and PostgreSQL: the city defines a subtype with no release,
activities logged and imported under it are counted by kind and subtype, a retired one is refused."""

from __future__ import annotations

import asyncpg

from services.eventkit.client import SanjiClient
from tests.helpers import wait_until
from tests.outreach.support import CITY_LEADER, TOWNSHIP, activity, register_units
from tests.stack import CITY_ADMIN, client, running


async def define(sanji: SanjiClient, subtype: str, name: str) -> None:
    body = {"unit": "3205", "kind": "branch_study", "subtype": subtype, "name": name}
    reply = await sanji.send("outreach.define_activity_subtype", body, CITY_ADMIN)
    assert reply.ok, reply.error


async def test_activities_are_counted_by_the_subtypes_the_city_defines(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        await register_units(sanji)
        study = {"kind": "branch_study", "topic": "主题党日"}
        unknown = await sanji.send(
            "outreach.log_activity", activity("act-tx-0001", **study, subtype="onsite_teaching"), CITY_ADMIN
        )
        assert unknown.error is not None
        assert [f.field for f in unknown.error.fields] == ["subtype"]

        await define(sanji, "onsite_teaching", "现场教学")
        await define(sanji, "youth_study_group", "青年理论学习小组")
        for n, subtype in enumerate(
            ["onsite_teaching", "onsite_teaching", "youth_study_group", None], start=1
        ):
            body = activity(f"act-tx-{n:04d}", **study, subtype=subtype, audience=10 * n)
            reply = await sanji.send("outreach.log_activity", body, CITY_ADMIN)
            assert reply.ok, reply.error
        rows = [
            {
                "external_id": "TX-1",
                "unit": TOWNSHIP,
                **study,
                "subtype": "youth_study_group",
                "held_on": "2025-03-12",
                "audience": 7,
            },
            {
                "external_id": "TX-2",
                "unit": TOWNSHIP,
                **study,
                "subtype": "film_screening",
                "held_on": "2025-03-12",
                "audience": 7,
            },
        ]
        body = {"source": "elearning", "unit": TOWNSHIP, "rows": rows}
        reply = await sanji.send("outreach.log_activities", body, CITY_ADMIN)
        assert reply.ok, reply.error
        assert [r["status"] for r in (reply.result or {})["rows"]] == ["imported", "failed"]

        retire = {
            "unit": "3205",
            "kind": "branch_study",
            "subtype": "youth_study_group",
            "reason": "并入主题党日",
        }
        reply = await sanji.send("outreach.retire_activity_subtype", retire, CITY_LEADER)
        assert reply.ok, reply.error
        late = await sanji.send(
            "outreach.log_activity", activity("act-tx-0009", **study, subtype="youth_study_group"), CITY_ADMIN
        )
        assert late.error is not None
        assert "retired" in late.error.message

        conn = await asyncpg.connect(database_url)
        try:

            async def by_subtype() -> dict[str, tuple[int, int]]:
                rows = await conn.fetch(
                    "SELECT subtype, sum(subtree_activities) AS n, sum(subtree_audience) AS a"
                    " FROM projection.activity_subtype_monthly WHERE path = '3205' AND kind = 'branch_study'"
                    " GROUP BY subtype"
                )
                return {r["subtype"]: (int(r["n"]), int(r["a"])) for r in rows}

            expected = {"onsite_teaching": (2, 30), "youth_study_group": (2, 37), "": (1, 40)}

            async def counted() -> bool:
                return await by_subtype() == expected

            await wait_until(counted, message="the subtype counts never showed every activity")
            kind_total = await conn.fetchval(
                "SELECT sum(subtree_activities) FROM projection.outreach_monthly WHERE path = '3205' AND kind = 'branch_study'"
            )
            assert kind_total == sum(n for n, _ in expected.values())  # a kind's subtypes add up to it
            defined = await conn.fetch(
                "SELECT subtype, retired, taxonomy_version FROM projection.activity_subtypes ORDER BY subtype"
            )
            assert [tuple(r) for r in defined] == [
                ("onsite_teaching", False, 1),
                ("youth_study_group", True, 3),
            ]
        finally:
            await conn.close()

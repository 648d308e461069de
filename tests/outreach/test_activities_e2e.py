"""Activities through NATS and PostgreSQL: logged, corrected, voided — counts follow in both views, and
the full history stays visible."""

from __future__ import annotations

from typing import Any

from contracts.commands import Actor, Role
from services.eventkit.client import SanjiClient
from tests.helpers import wait_until
from tests.outreach.support import TOWNSHIP, activity, query, register_units
from tests.stack import CITY_ADMIN, client, running


async def unit_counts(sanji: SanjiClient, path: str) -> dict[str, Any]:
    answer = await sanji.query("projection.unit", {"path": path})
    return answer["result"]["subtree"] if answer["ok"] else {}


async def test_corrections_and_voids_change_the_counts_and_keep_the_history(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        await register_units(sanji)  # logs probe-0001 at the second township, 100 人次
        for n, audience in ((1, 120), (2, 80)):
            reply = await sanji.send(
                "outreach.log_activity",
                activity(f"act-000{n}", audience=audience, participants=["张三"], venue="社区活动中心"),
                CITY_ADMIN,
            )
            assert reply.ok, reply.error
        corrected = await sanji.send(
            "outreach.correct_activity",
            {
                "activity_id": "act-0001",
                "unit": TOWNSHIP,
                "reason": "人次录错",
                "audience": 150,
                "kind": "training",
            },
            CITY_ADMIN,
        )
        assert corrected.ok, corrected.error
        voided = await sanji.send(
            "outreach.void_activity",
            {"activity_id": "act-0002", "unit": TOWNSHIP, "reason": "重复登记"},
            CITY_ADMIN,
        )
        assert voided.ok, voided.error
        again = await sanji.send(
            "outreach.void_activity",
            {"activity_id": "act-0002", "unit": TOWNSHIP, "reason": "再次"},
            CITY_ADMIN,
        )
        assert again.error is not None
        assert again.error.code == "rejected"

        expected = {
            "activities": 2,
            "audience": 250,
            "by_kind": {
                "outreach_talk": {"activities": 1, "audience": 100},
                "training": {"activities": 1, "audience": 150},
            },
        }

        async def unit_view_caught_up() -> bool:
            return await unit_counts(sanji, "3205") == expected

        await wait_until(
            unit_view_caught_up, message="the unit view never showed the correction and the void"
        )

        async def summary() -> dict[str, Any]:
            return await query(sanji, "outreach.summary", path="3205", period="2025-Q1")

        async def outreach_view_caught_up() -> bool:
            return bool((await summary())["subtree"] == expected)

        await wait_until(outreach_view_caught_up, message="the outreach view never caught up")
        county = (await summary())["children"][0]
        assert county["path"] == "3205.320506"
        assert county["subtree"] == {"activities": 2, "audience": 250}
        april = await query(sanji, "outreach.summary", path="3205", period="2025-04")
        assert april["subtree"]["activities"] == 0

        detail = await query(sanji, "outreach.activity", activity_id="act-0001")
        assert detail["activity"]["audience"] == 150
        assert detail["activity"]["participants"] == ["张三"]
        assert detail["activity"]["corrections"] == 1
        assert [h["type"] for h in detail["history"]] == [
            "outreach.activity_logged",
            "outreach.activity_corrected",
        ]
        change = detail["history"][1]["data"]
        assert (change["before"]["audience"], change["after"]["audience"], change["reason"]) == (
            120,
            150,
            "人次录错",
        )
        assert detail["history"][1]["actor"] == CITY_ADMIN.id

        listed = await query(sanji, "outreach.activities", path=TOWNSHIP, period="2025")
        assert [a["activity_id"] for a in listed["activities"]] == ["act-0001"]
        with_voided = await query(
            sanji, "outreach.activities", path=TOWNSHIP, period="2025", include_voided=True
        )
        assert {a["activity_id"]: a["voided"] for a in with_voided["activities"]} == {
            "act-0001": False,
            "act-0002": True,
        }
        assert listed["freshness"]["checkpoint"] > 0


async def test_plan_versus_actual_shows_the_shortfall_per_month(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        await register_units(sanji)
        target = {
            "unit": TOWNSHIP,
            "year": 2025,
            "kind": "central_group_study",
            "cadence": "month",
            "count": 1,
        }
        from tests.outreach.support import CITY_LEADER

        reply = await sanji.send("outreach.set_target", target, CITY_LEADER)
        assert reply.ok, reply.error
        clerk_refused = await sanji.send(
            "outreach.set_target",
            target | {"year": 2026},
            Actor(id="clerk@3205", scope="3205", roles=frozenset({Role.CLERK})),
        )
        assert clerk_refused.error is not None
        assert clerk_refused.error.code == "forbidden"
        for n, day in enumerate(("2025-01-08", "2025-01-22", "2025-03-31")):
            body = activity(f"cgs-000{n}", kind="central_group_study", held_on=day, audience=12)
            assert (await sanji.send("outreach.log_activity", body, CITY_ADMIN)).ok

        async def plan() -> dict[str, Any]:
            found: dict[str, Any] = (await query(sanji, "outreach.summary", path=TOWNSHIP, period="2025-Q1"))[
                "plan"
            ]
            return found

        async def counted() -> bool:
            found = await plan()
            return bool(found["targets"]) and sum(p["actual"] for p in found["targets"][0]["periods"]) == 3

        await wait_until(counted, message="the plan never showed the sessions")
        (monthly,) = (await plan())["targets"]
        assert [(p["period"], p["actual"], p["shortfall"]) for p in monthly["periods"]] == [
            ("2025-01", 2, 0),
            ("2025-02", 0, 1),
            ("2025-03", 1, 0),
        ]
        assert monthly["year"]["counted"] == 2
        county = await query(sanji, "outreach.summary", path="3205.320506", period="2025")
        (child,) = [c for c in county["children"] if c["path"] == TOWNSHIP]
        assert child["plan"]["target"] == 12

"""The closed loop through NATS and PostgreSQL: report → grade → assign → acknowledge → act → feedback →
close, shown in the projection's views (statistics rolled up, the case's timeline), drills left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.eventkit.client import SanjiClient
from tests.helpers import wait_until
from tests.opinion.builders import CITY, COUNTY, OTHER_COUNTY, TOWN
from tests.opinion.support import TOWN_CLERK, item, send_ok, setup_city
from tests.stack import client, running


async def run_loop(sanji: SanjiClient, case_id: str, drill: bool = False) -> None:
    captured = datetime.now(UTC) - timedelta(hours=1)
    await send_ok(sanji, "opinion.report", item(case_id, CITY, captured, drill))
    ids = {"case_id": case_id}
    await send_ok(
        sanji,
        "opinion.grade",
        {
            **ids,
            "unit": CITY,
            "relevant": True,
            "category": "elderly_care",
            "severity": "II",
            "owning_unit": TOWN,
        },
    )
    await send_ok(sanji, "opinion.assign", {**ids, "unit": CITY, "to_unit": TOWN, "note": "请核实处置"})
    # The township's own clerk takes it from here: their scope is the township.
    await send_ok(sanji, "opinion.acknowledge", {**ids, "unit": TOWN}, TOWN_CLERK)
    action = {**ids, "unit": TOWN, "action": "verify", "description": "实地核实，涉事护工已停职"}
    await send_ok(sanji, "opinion.record_action", action, TOWN_CLERK)
    feedback = {**ids, "unit": TOWN, "said": "已发布情况通报", "reception": "accepted"}
    await send_ok(sanji, "opinion.give_feedback", feedback, TOWN_CLERK)
    await send_ok(sanji, "opinion.close", {**ids, "unit": CITY, "resolution": "核实处理完毕，舆情平息"})


async def answer(sanji: SanjiClient, name: str, params: dict[str, Any]) -> dict[str, Any]:
    found = await sanji.query(name, params)
    assert found["ok"], found
    result: dict[str, Any] = found["result"]
    return result


async def test_a_case_runs_the_whole_loop_and_shows_in_the_views(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "duty", "opinion", "projection"), client(nats_url) as sanji:
        await setup_city(sanji)
        await run_loop(sanji, "case-loop-0001")
        await run_loop(sanji, "case-drill-001", drill=True)
        refused = await sanji.send(
            "opinion.close", {"case_id": "case-loop-0001", "unit": CITY, "resolution": "x"}, TOWN_CLERK
        )
        assert refused.error is not None
        assert refused.error.code == "not_found"  # a township clerk cannot act as the city (out of scope)

        async def closed_in_view() -> bool:
            found = await sanji.query("projection.opinion.case", {"case_id": "case-drill-001"})
            return bool(found["ok"]) and found["result"]["state"] == "closed"

        await wait_until(closed_in_view, message="the projection never showed the closed case")
        case = await answer(sanji, "projection.opinion.case", {"case_id": "case-loop-0001"})
        assert (case["state"], case["desk"], case["assignee"], case["severity"]) == (
            "closed",
            CITY,
            TOWN,
            "II",
        )
        assert [entry["type"] for entry in case["timeline"]] == [
            "reported",
            "graded",
            "assigned",
            "acknowledged",
            "action_recorded",
            "feedback_given",
            "closed",
        ]
        assigned = case["timeline"][2]
        assert (assigned["actor"], assigned["unit"], assigned["detail"]["to_unit"]) == (
            "leader@3205",
            CITY,
            TOWN,
        )
        assert case["timeline"][3]["actor"] == "clerk@320506001"
        assert case["freshness"]["checkpoint"] > 0

        period = str(datetime.now(UTC).year)
        city = await answer(sanji, "projection.opinion.unit_stats", {"path": CITY, "period": period})
        subtree = city["subtree"]
        assert (subtree["items"], subtree["incidents"], subtree["open"]) == (1, 1, 0)  # the drill is left out
        assert subtree["by_severity"] == {"II": 1}
        assert subtree["by_state"] == {"closed": 1}
        assert subtree["hours"]["close"]["count"] == 1
        assert subtree["hours"]["acknowledge"]["median"] is not None
        assert city["own"]["incidents"] == 0  # owned by the township
        children = {child["path"]: child["subtree"]["incidents"] for child in city["children"]}
        assert children == {COUNTY: 1, OTHER_COUNTY: 0}

        listed = await answer(sanji, "projection.opinion.cases", {"path": COUNTY})
        assert {c["case_id"]: c["drill"] for c in listed["cases"]} == {
            "case-loop-0001": False,
            "case-drill-001": True,
        }
        drills = await answer(sanji, "projection.opinion.cases", {"path": COUNTY, "filter": "drill"})
        assert [c["case_id"] for c in drills["cases"]] == ["case-drill-001"]
        assert (await answer(sanji, "projection.opinion.cases", {"path": OTHER_COUNTY}))["total"] == 0
        plans = await answer(sanji, "projection.opinion.plans", {"path": TOWN})
        assert [version["version"] for version in plans["versions"]] == [1]

"""opinion.report_items: past items with their grading back-filled in bulk, by ingest's and grading's
rules, with a per-row report; the same batch sent again changes nothing; the cases show in the view
with their true capture and grading times; ingest later answers such an item as a repeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from contracts.commands import Actor, Role
from contracts.opinion import ingested_case_id
from tests.helpers import wait_until
from tests.opinion.builders import CITY, OTHER_COUNTY, TOWN
from tests.opinion.support import setup_city
from tests.stack import CITY_ADMIN, client, running

CAPTURED = (datetime.now(UTC) - timedelta(days=60)).replace(hour=2, minute=0, second=0, microsecond=0)
REASON = "年底补录舆情研判记录"
MONITOR = Actor(id="system:weibo-monitor", scope=CITY, roles=frozenset({Role.SYSTEM}))


def past_item(number: int, external_id: str, **grade: Any) -> dict[str, Any]:
    graded = {
        "relevant": True,
        "category": "elderly_care",
        "severity": "II",
        "owning_unit": TOWN,
        "graded_at": (CAPTURED + timedelta(hours=1)).isoformat(),
    }
    return {
        "row": number,
        "external_id": external_id,
        "unit": CITY,
        "channel": "weibo",
        "title": "网传养老院护工推搡老人",
        "excerpt": "短视频显示某养老院护工推搡老人，引发网友关注。",
        "captured_at": CAPTURED.isoformat(),
        "grade": graded | grade,
        "backdate_reason": REASON,
    }


async def test_past_items_are_back_filled_with_their_grading_and_a_per_row_report_once(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "opinion", "projection"), client(nats_url) as sanji:
        await setup_city(sanji)
        dismissed = {"relevant": False, "category": None, "severity": None, "owning_unit": None}
        rows = [
            past_item(2, "W-1"),
            past_item(3, "W-2") | {"grade": past_item(3, "W-2")["grade"] | dismissed},
            past_item(4, "W-3", severity=None),  # relevant needs a severity
            past_item(5, "W-4", graded_at=(CAPTURED - timedelta(hours=1)).isoformat()),  # before capture
            past_item(6, "W-5", owning_unit="3205.999999"),  # an unknown owning unit
            past_item(7, "W-6") | {"backdate_reason": None},  # 60 days back without a reason
            past_item(8, "W-7") | {"unit": OTHER_COUNTY},  # 相城's desk cannot hand it to a 吴中 town
        ]
        body = {"source": "weibo-monitor", "unit": CITY, "rows": rows}
        reply = await sanji.send("opinion.report_items", body, CITY_ADMIN)
        assert reply.ok, reply.error
        result = reply.result or {}
        fields = {r["row"]: [e["field"] for e in r.get("errors", [])] for r in result["rows"]}
        assert (result["imported"], result["duplicate"], result["failed"]) == (2, 0, 5), fields
        assert fields[4] == ["grade"]
        assert fields[5] == ["grade.graded_at"]
        assert fields[6] == ["grade.owning_unit"]
        assert fields[7] == ["backdate_reason"]
        assert fields[8] == ["grade.owning_unit"]  # a case at one county is not owned by another

        again = await sanji.send("opinion.report_items", body, CITY_ADMIN)  # a new command id
        assert again.ok, again.error
        again_result = again.result or {}
        assert (again_result["imported"], again_result["duplicate"], again_result["failed"]) == (0, 2, 5)

        single = {key: rows[0][key] for key in ("unit", "channel", "title", "excerpt", "captured_at")}
        repeat = await sanji.send(
            "opinion.ingest_item", single | {"source": "weibo-monitor", "external_id": "W-1"}, MONITOR
        )
        case_id = ingested_case_id("weibo-monitor", "W-1")
        assert repeat.ok, repeat.error
        assert (repeat.result or {}) == {"case_id": case_id, "duplicate": True}

        conn = await asyncpg.connect(database_url)
        try:

            async def shown() -> bool:
                found = await conn.fetchval("SELECT count(*) FROM projection.opinion_cases")
                return bool(found == 2)

            await wait_until(shown, message="the projection never showed the back-filled cases")
            case = await conn.fetchrow(
                "SELECT state, relevant, severity, owning_unit, captured_at, graded_at"
                " FROM projection.opinion_cases WHERE case_id = $1",
                case_id,
            )
            assert case is not None
            assert (case["relevant"], case["severity"], case["owning_unit"]) == (True, "II", TOWN)
            assert case["captured_at"] == CAPTURED
            assert case["graded_at"] == CAPTURED + timedelta(hours=1)
            stored = await conn.fetchval(
                "SELECT count(*) FROM opinion.events WHERE stream_id = $1", f"opinion:{case_id}"
            )
            assert stored == 2  # reported and graded; the resent batch appended nothing
        finally:
            await conn.close()

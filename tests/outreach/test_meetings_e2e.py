"""Meetings through NATS and PostgreSQL: one recorded and counted by when it was held, a back-dated one
refused without a reason and listed in the audit once it has one, and a bulk record with a per-row report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from services.eventkit.localtime import local_date
from services.outreach.domain.meetings import import_meeting_id
from tests.helpers import wait_until
from tests.outreach.support import TOWNSHIP, register_units
from tests.stack import CITY_ADMIN, client, running

COUNTY = "3205.320506"


def meeting(meeting_id: str, held_on: str, **changes: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "kind": "joint_meeting",
        "held_on": held_on,
        "attendance": 12,
        "topics": ["意识形态工作责任制落实情况"],
        "decisions": ["各科室每季度报送一次工作情况"],
    }
    return {"meeting_id": meeting_id, "unit": TOWNSHIP, "facts": facts | changes}


async def test_meetings_are_recorded_counted_by_when_held_and_back_dating_audited(
    nats_url: str, database_url: str
) -> None:
    recent = (local_date(datetime.now(UTC)) - timedelta(days=3)).isoformat()
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        await register_units(sanji)
        reply = await sanji.send("outreach.record_meeting", meeting("mtg-e2e-0001", recent), CITY_ADMIN)
        assert reply.ok, reply.error

        refused = await sanji.send(
            "outreach.record_meeting", meeting("mtg-e2e-0002", "2025-03-10"), CITY_ADMIN
        )
        assert refused.error is not None
        assert (refused.error.code, [f.field for f in refused.error.fields]) == (
            "rejected",
            ["backdate_reason"],
        )
        late = meeting("mtg-e2e-0002", "2025-03-10", backdate_reason="年底补录会议记录")
        reply = await sanji.send("outreach.record_meeting", late, CITY_ADMIN)
        assert reply.ok, reply.error

        rows = [
            {
                "row": 2,
                "external_id": "LG-1",
                "unit": TOWNSHIP,
                "facts": late["facts"] | {"kind": "situation_analysis"},
            },
            {"row": 3, "external_id": "LG-2", "unit": TOWNSHIP, "facts": {"kind": "party_group_meeting"}},
            {"row": 4, "external_id": "LG-1", "unit": TOWNSHIP, "facts": late["facts"]},
        ]
        body = {"source": "office-ledger", "unit": COUNTY, "rows": rows}
        reply = await sanji.send("outreach.record_meetings", body, CITY_ADMIN)
        assert reply.ok, reply.error
        result = reply.result or {}
        assert (result["imported"], result["duplicate"], result["failed"]) == (1, 1, 1)
        failed = next(r for r in result["rows"] if r["status"] == "failed")
        assert {e["field"] for e in failed["errors"]} >= {"facts.held_on", "facts.topics"}

        goal = {"unit": COUNTY, "year": 2025, "kind": "situation_analysis", "cadence": "year", "count": 2}
        reply = await sanji.send("outreach.set_meeting_target", goal, CITY_ADMIN)
        assert reply.ok, reply.error

        conn = await asyncpg.connect(database_url)
        try:

            async def target_shown() -> bool:
                found = await conn.fetchval(
                    "SELECT count FROM projection.meeting_targets WHERE unit = $1 AND year = 2025", COUNTY
                )
                return bool(found == 2)

            await wait_until(target_shown, message="the meeting target never reached the view")

            async def all_projected() -> bool:
                found = await conn.fetchval("SELECT count(*) FROM projection.outreach_meetings")
                return bool(found == 3)

            await wait_until(all_projected, message="the projection never showed the three meetings")
            march = await conn.fetch(
                "SELECT kind, own_meetings, subtree_meetings FROM projection.meeting_monthly"
                " WHERE path = $1 AND month = '2025-03-01' ORDER BY kind",
                COUNTY,
            )
            assert [(r["kind"], r["own_meetings"], r["subtree_meetings"]) for r in march] == [
                ("joint_meeting", 0, 1),
                ("situation_analysis", 0, 1),
            ]
            audited = await conn.fetch(
                "SELECT record_id, happened_on::text, reason FROM projection.backdated_entries"
            )
            assert {tuple(r) for r in audited} == {
                ("mtg-e2e-0002", "2025-03-10", "年底补录会议记录"),
                (import_meeting_id("office-ledger", "LG-1"), "2025-03-10", "年底补录会议记录"),
            }
        finally:
            await conn.close()

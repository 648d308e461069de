"""Units follow merges in outreach: once duty merges a township into its neighbour, outreach learns it from
duty's events and refuses anything dated from the merge on for the township merged away (an activity, a
meeting, a survey, an award, a publication, and such rows of a bulk record), naming the unit field and
where its work goes now; what happened before the merge is still taken."""

from __future__ import annotations

from typing import Any

from services.eventkit.client import SanjiClient
from tests.helpers import wait_until
from tests.outreach.support import TOWNSHIP, activity, register_units
from tests.stack import CITY_ADMIN, client, running

ABSORBED = "3205.320506.320506002"  # 郭巷街道, merged into 长桥街道 (TOWNSHIP) on 2025-07-01
LATE = {"backdate_reason": "补录"}
AFTER = "2025-08-05"


def refusal(reply: Any) -> tuple[str, list[str], str]:
    assert not reply.ok, "a record for a unit merged away was taken"
    return reply.error.code, [f.field for f in reply.error.fields], reply.error.message


async def merged(sanji: SanjiClient) -> None:
    merge = {"absorbed": ABSORBED, "into": TOWNSHIP, "effective_on": "2025-07-01", "reason": "撤并"}
    reply = await sanji.send("duty.merge_units", merge, CITY_ADMIN)
    assert reply.ok, reply.error

    async def outreach_learned() -> bool:  # the merge reaches outreach through duty's events
        probe = activity("probe-after-merge", ABSORBED, held_on=AFTER)
        reply = await sanji.send("outreach.log_activity", probe, CITY_ADMIN)
        assert not reply.ok or reply.error is None, "an activity after the merge was logged"
        return reply.error is not None and reply.error.code == "rejected"

    await wait_until(outreach_learned, message="outreach never learned the merge")


async def test_records_for_a_unit_merged_away_are_refused_naming_the_unit(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach"), client(nats_url) as sanji:
        await register_units(sanji)
        before = activity("act-before-merge", ABSORBED, held_on="2025-06-20")
        assert (await sanji.send("outreach.log_activity", before, CITY_ADMIN)).ok
        await merged(sanji)

        after = activity("act-after-merge", ABSORBED, held_on=AFTER)
        code, fields, message = refusal(await sanji.send("outreach.log_activity", after, CITY_ADMIN))
        assert (code, fields) == ("rejected", ["unit"])
        assert f"merged into {TOWNSHIP} on 2025-07-01" in message
        history = activity("act-history", ABSORBED, held_on="2025-06-30")  # the day before: its own
        assert (await sanji.send("outreach.log_activity", history, CITY_ADMIN)).ok, "history was refused"
        heir = activity("act-heir", TOWNSHIP, held_on=AFTER)
        assert (await sanji.send("outreach.log_activity", heir, CITY_ADMIN)).ok

        facts = {"kind": "joint_meeting", "held_on": AFTER, "attendance": 12, "topics": ["意识形态工作"]}
        meeting = {"meeting_id": "mtg-after-merge", "unit": ABSORBED, "facts": facts | LATE}
        survey = {
            "survey_id": "survey-after-merge",
            "unit": ABSORBED,
            "held_on": AFTER,
            "led_by": "张明",
            "topic": "基层意识形态阵地管理调研",
            "places": ["便民服务中心"],
        } | LATE
        award = {
            "award_id": "award-after-merge",
            "unit": ABSORBED,
            "kind": "best_window",
            "title": "2025年度最美民政窗口",
            "recipient": "社会救助窗口",
            "awarded_by": "苏州市民政局",
            "awarded_on": AFTER,
        } | LATE
        piece = {
            "publication_id": "pub-after-merge",
            "unit": ABSORBED,
            "kind": "article",
            "title": "郭巷街道开展低保政策宣讲",
            "outlet_id": "wx-anywhere",
        }
        for name, body in (
            ("record_meeting", meeting),
            ("record_field_survey", survey),
            ("record_award", award),
            ("submit_publication", piece),
        ):
            code, fields, message = refusal(await sanji.send(f"outreach.{name}", body, CITY_ADMIN))
            assert (code, fields) == ("rejected", ["unit"]), (name, message)
            assert TOWNSHIP in message, (name, message)


async def test_bulk_rows_for_a_unit_merged_away_fail_one_by_one(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "duty", "outreach"), client(nats_url) as sanji:
        await register_units(sanji)
        await merged(sanji)
        row = {"kind": "training", "topic": "社会工作者职业能力培训", "audience": 20}
        rows = [
            row | {"row": 1, "external_id": "EL-1", "unit": ABSORBED, "held_on": "2025-06-10"},
            row | {"row": 2, "external_id": "EL-2", "unit": ABSORBED, "held_on": AFTER},
            row | {"row": 3, "external_id": "EL-3", "unit": TOWNSHIP, "held_on": AFTER},
        ]
        body = {"source": "elearning", "unit": "3205.320506", "rows": rows}
        reply = await sanji.send("outreach.log_activities", body, CITY_ADMIN)
        assert reply.ok, reply.error
        result = reply.result or {}
        assert (result["imported"], result["failed"]) == (2, 1)
        (failed,) = [r for r in result["rows"] if r["status"] == "failed"]
        assert (failed["row"], [e["field"] for e in failed["errors"]]) == (2, ["unit"])
        assert TOWNSHIP in failed["errors"][0]["reason"]

        facts = {"kind": "joint_meeting", "attendance": 9, "topics": ["意识形态工作"]} | LATE
        meetings = [
            {"row": 1, "external_id": "M-1", "unit": ABSORBED, "facts": facts | {"held_on": "2025-06-10"}},
            {"row": 2, "external_id": "M-2", "unit": ABSORBED, "facts": facts | {"held_on": AFTER}},
        ]
        body = {"source": "register", "unit": "3205.320506", "rows": meetings}
        reply = await sanji.send("outreach.record_meetings", body, CITY_ADMIN)
        assert reply.ok, reply.error
        result = reply.result or {}
        assert (result["imported"], result["failed"]) == (1, 1)
        (failed,) = [r for r in result["rows"] if r["status"] == "failed"]
        assert (failed["row"], [e["field"] for e in failed["errors"]]) == (2, ["unit"])

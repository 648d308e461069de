"""Back-filled publications through NATS and PostgreSQL: a batch with good and bad rows gets a per-row
report, the same batch sent again changes nothing, and the pieces show in the projection's views with
their three reviews and their back-dated stages in the audit."""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.commands import Actor, Role
from services.outreach.domain.past_publications import import_publication_id
from tests.helpers import wait_until
from tests.outreach.support import TOWNSHIP, from_duty, outlet, query, register_units
from tests.stack import CITY_ADMIN, client, running

COUNTY = "3205.320506"
CLERK = Actor(id="clerk@320506", scope=COUNTY, roles=frozenset({Role.CLERK, Role.SYSTEM}))
REASON = "补录上半年稿件审核记录"
PROOFREADS = [  # 三校 between the 复审 (06-14) and the 终审 (06-15)
    {"proofread": n, "proofreader": who, "proofread_at": f"2025-06-14T{6 + n:02d}:00:00+00:00"}
    for n, who in enumerate(("周敏", "吴涛", "郑丽"), start=1)
]


def piece(external_id: str, **changes: Any) -> dict[str, Any]:
    signed = [("first", "王芳", 13), ("second", "李强", 14), ("third", "张明", 15)]
    body: dict[str, Any] = {
        "external_id": external_id,
        "unit": TOWNSHIP,
        "kind": "commentary",
        "title": "长桥街道开展低保政策宣讲",
        "outlet_id": "wx-320506",
        "column": "政策解读",
        "written_by": "陈静",
        "submitted_at": "2025-06-12T02:00:00+00:00",
        "reviews": [
            {"stage": stage, "reviewer": who, "reviewed_at": f"2025-06-{day}T02:00:00+00:00"}
            for stage, who, day in signed
        ],
        "published_on": "2025-06-20",
        "views": 1280,
        "views_as_of": "2025-06-25",
        "backdate_reason": REASON,
    }
    return body | changes


async def test_published_pieces_are_back_filled_with_a_per_row_report_once(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        await register_units(sanji)
        await from_duty(sanji, outlet("wx-320506", COUNTY), COUNTY, 1)
        rows = [
            piece("REG-1") | {"row": 2},
            piece("REG-2", title="二〇二五年民政大讲堂第三讲", proofreads=PROOFREADS) | {"row": 3},
            piece("REG-3", backdate_reason=None) | {"row": 4},  # back-dated without a reason
            piece("REG-4", written_by="李强") | {"row": 5},  # the author signs the 复审
            piece("REG-5", views=-1) | {"row": 6},  # refused at the door
        ]
        body = {"source": "office-ledger", "unit": COUNTY, "rows": rows}

        async def outlet_learned() -> bool:  # outreach learns outlets from duty's events, asynchronously
            probe = {"source": "probe", "unit": COUNTY, "rows": [piece("PROBE")]}
            reply = await sanji.send("outreach.record_publications", probe, CITY_ADMIN)
            return bool(reply.ok and (reply.result or {}).get("imported") == 1)

        await wait_until(outlet_learned, message="outreach never learned the outlet")
        # The sender vouches for each 终审 having been a leader's: a clerk (or another system) may not.
        clerk = await sanji.send("outreach.record_publications", body, CLERK)
        assert clerk.error is not None
        assert clerk.error.code == "forbidden"
        reply = await sanji.send("outreach.record_publications", body, CITY_ADMIN)
        assert reply.ok, reply.error
        result = reply.result or {}
        assert (result["imported"], result["duplicate"], result["failed"]) == (2, 0, 3)
        errors = {r["row"]: [(e["field"], e["reason"]) for e in r.get("errors", [])] for r in result["rows"]}
        assert [field for field, _ in errors[4]] == ["backdate_reason"]
        assert errors[5] == [("reviews.1.reviewer", "whoever wrote or revised a piece cannot review it")]
        assert [field for field, _ in errors[6]] == ["views"]

        again = await sanji.send("outreach.record_publications", body, CITY_ADMIN)  # a new command id
        assert again.ok, again.error
        again_result = again.result or {}
        assert (again_result["imported"], again_result["duplicate"], again_result["failed"]) == (0, 2, 3)

        async def shown() -> bool:
            summary = await query(sanji, "outreach.summary", path=COUNTY, period="2025-Q2")
            return bool(summary["publications"]["by_status"].get("published") == 3)  # REG-1, REG-2, PROBE

        await wait_until(shown, message="the projection never showed the back-filled pieces")
        detail = await query(
            sanji, "outreach.publication", publication_id=import_publication_id("office-ledger", "REG-1")
        )
        assert set(detail["publication"]["reviews"]) == {"first", "second", "third"}
        assert [h["type"].removeprefix("outreach.publication_") for h in detail["history"]] == [
            "submitted",
            "reviewed",
            "reviewed",
            "reviewed",
            "published",
            "views_recorded",
        ]
        conn = await asyncpg.connect(database_url)
        try:
            audited = await conn.fetch(
                "SELECT record_type FROM projection.backdated_entries WHERE record_id = $1 AND reason = $2",
                import_publication_id("office-ledger", "REG-2"),
                REASON,
            )
            assert {r["record_type"] for r in audited} >= {
                "outreach.publication_submitted",
                "outreach.publication_reviewed",
            }
            stored = await conn.fetchval(
                "SELECT count(*) FROM outreach.events WHERE stream_id = $1",
                f"publication:{import_publication_id('office-ledger', 'REG-1')}",
            )
            assert stored == 6  # the resent batch appended nothing
            proofread = await conn.fetchval(
                "SELECT count(*) FROM outreach.events WHERE stream_id = $1"
                " AND event_type = 'outreach.publication_proofread'",
                f"publication:{import_publication_id('office-ledger', 'REG-2')}",
            )
            assert proofread == 3
        finally:
            await conn.close()

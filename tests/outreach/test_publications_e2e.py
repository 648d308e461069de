"""Publications through NATS and PostgreSQL: outlets learned from duty's events, three reviews by three
people, published only on an active outlet, views counted, shown by stage and by outlet."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from contracts.commands import Actor, Role
from contracts.duty import OutletStatusChanged
from services.eventkit.client import SanjiClient
from tests.helpers import wait_until
from tests.outreach.support import TOWNSHIP, from_duty, outlet, query, register_units
from tests.stack import CITY_ADMIN, client, running

EDITOR = Actor(id="editor@320506", scope="3205.320506", roles=frozenset({Role.CLERK}))
HEAD = Actor(id="head@320506", scope="3205.320506", roles=frozenset({Role.CLERK}))
LEADER = Actor(id="leader@320506", scope="3205.320506", roles=frozenset({Role.LEADER}))
AUTHOR = Actor(id="officer@320506001", scope=TOWNSHIP, roles=frozenset({Role.CLERK}))


async def outlet_status(database_url: str, outlet_id: str, status: str) -> bool:
    conn = await asyncpg.connect(database_url)
    try:
        found = await conn.fetchval("SELECT status FROM outreach.outlets WHERE outlet_id = $1", outlet_id)
    finally:
        await conn.close()
    return bool(found == status)


def on(day: int) -> dict[str, str]:
    """A stage of June 2025 recorded now (补录): when it happened, and why it is recorded late."""
    return {"occurred_at": f"2025-06-{day:02d}T02:00:00+00:00", "backdate_reason": "补录上半年稿件审核记录"}


async def send(sanji: SanjiClient, name: str, body: dict[str, Any], actor: Actor) -> Any:
    return await sanji.send(f"outreach.{name}", body, actor)


async def test_a_piece_through_three_reviews_onto_an_outlet(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        await register_units(sanji)
        await from_duty(sanji, outlet("wx-320506", "3205.320506"), "3205.320506", 1)
        await from_duty(sanji, outlet("board-320507", "3205.320507"), "3205.320507", 1)
        piece = {"publication_id": "pub-2025-0001", "unit": TOWNSHIP}
        submit = (
            piece
            | {"kind": "commentary", "title": "长桥街道开展低保政策宣讲", "outlet_id": "wx-320506"}
            | {"column": "政策解读"}
            | on(12)
        )

        async def submitted() -> bool:  # outreach learns outlets from duty's events, asynchronously
            reply = await send(sanji, "submit_publication", submit, AUTHOR)
            return bool(reply.ok)

        await wait_until(submitted, message="outreach never learned the outlet")
        unknown = await send(
            sanji,
            "submit_publication",
            submit | {"publication_id": "pub-x-0002", "outlet_id": "nope"},
            AUTHOR,
        )
        assert unknown.error.code == "not_found"

        assert (
            await send(
                sanji,
                "review_publication",
                piece | {"stage": "first", "decision": "approve"} | on(13),
                EDITOR,
            )
        ).ok
        twice = await send(
            sanji, "review_publication", piece | {"stage": "second", "decision": "approve"} | on(14), EDITOR
        )
        assert twice.error.code == "forbidden"
        assert "different person" in twice.error.message
        back = piece | {"stage": "second", "decision": "send_back", "comments": "数据需核实"} | on(14)
        assert (await send(sanji, "review_publication", back, HEAD)).ok
        revise = piece | {"note": "已核实数据", "title": "长桥街道低保政策宣讲覆盖千余人次"} | on(15)
        backwards = await send(sanji, "revise_publication", revise | on(13), AUTHOR)
        assert [f.field for f in backwards.error.fields] == ["occurred_at"]  # before the send-back
        assert (await send(sanji, "revise_publication", revise, AUTHOR)).ok
        for day, (stage, actor) in enumerate((("first", EDITOR), ("second", HEAD), ("third", LEADER)), 16):
            reply = await send(
                sanji, "review_publication", piece | {"stage": stage, "decision": "approve"} | on(day), actor
            )
            assert reply.ok, reply.error

        await from_duty(
            sanji,
            OutletStatusChanged(
                outlet_id="wx-320506",
                unit="3205.320506",
                status="suspended",
                reason="整改",
                effective_on=date(2025, 6, 1),
            ),
            "3205.320506",
            2,
        )
        publish = piece | {"published_on": "2025-06-20", "url": "https://mp.weixin.qq.com/s/example"}
        publish |= {"backdate_reason": "补录"}
        early = await send(sanji, "publish", publish | {"published_on": "2025-06-17"}, EDITOR)
        assert [f.field for f in early.error.fields] == ["published_on"]  # before the 终审 of 06-18

        # Wait for the suspension to be learned before trying: a publish that won the race would
        # simply succeed, and the piece could not be refused afterwards.
        await wait_until(
            lambda: outlet_status(database_url, "wx-320506", "suspended"),
            message="outreach never learned the suspension",
        )
        refused = await send(sanji, "publish", publish, EDITOR)
        assert refused.error is not None, refused
        assert "suspended" in refused.error.message
        await from_duty(
            sanji,
            OutletStatusChanged(
                outlet_id="wx-320506",
                unit="3205.320506",
                status="active",
                reason="整改完成",
                effective_on=date(2025, 6, 10),
            ),
            "3205.320506",
            3,
        )

        async def published() -> bool:
            return bool((await send(sanji, "publish", publish, EDITOR)).ok)

        await wait_until(published, message="never published")
        views = piece | {"views": 1280, "as_of": "2025-06-25"}
        assert (await send(sanji, "record_views", views, CITY_ADMIN)).ok

        async def shown() -> dict[str, Any]:
            return await query(sanji, "outreach.summary", path="3205.320506", period="2025-Q2")

        async def views_shown() -> bool:
            outlets = (await shown())["publications"]["by_outlet"]
            return bool(outlets) and outlets[0]["views"] == 1280

        await wait_until(views_shown, message="the projection never showed the publication")
        publications = (await shown())["publications"]
        assert publications["by_status"]["published"] == 1
        assert publications["by_kind_and_column"] == [
            {"kind": "commentary", "column": "政策解读", "published": 1, "views": 1280}
        ]
        assert publications["by_outlet"] == [
            {
                "outlet_id": "wx-320506",
                "name": "吴中民政微信公众号",
                "kind": "wechat_account",
                "status": "active",
                "published": 1,
                "views": 1280,
            }
        ]
        detail = await query(sanji, "outreach.publication", publication_id="pub-2025-0001")
        assert detail["publication"]["round"] == 2
        assert set(detail["publication"]["reviews"]) == {"first", "second", "third"}
        assert [h["type"].removeprefix("outreach.publication_") for h in detail["history"]] == [
            "submitted",
            "reviewed",
            "reviewed",
            "revised",
            "reviewed",
            "reviewed",
            "reviewed",
            "published",
            "views_recorded",
        ]

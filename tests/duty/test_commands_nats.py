"""Duty commands through NATS and PostgreSQL: multi-stream decisions are atomic, refusals store
nothing, the actor's scope and role are checked, and the lookups follow the events."""

from __future__ import annotations

from tests.duty.support import (
    CHANGQIAO,
    CHANGQIAO_ADMIN,
    WUZHONG,
    WUZHONG_CLERK,
    XIANGCHENG,
    ok,
    outlet,
    post,
    refused,
    register_units,
)
from tests.stack import client, running


async def event_types(runtime: object, stream: str) -> list[str]:
    store = runtime.store  # type: ignore[attr-defined]
    return [stored.envelope.type for stored in await store.read_stream(stream)]


async def test_vacating_flags_gaps_and_a_hand_over_closes_them(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "duty") as (duty,), client(nats_url) as sanji:
        await register_units(sanji)
        await post(sanji, "wz-io", WUZHONG, "information_officer", ("W001", "王芳"), "2025-01-02")
        await post(sanji, "wz-io2", WUZHONG, "information_officer", ("W002", "李娜"), "2025-01-02")
        await post(sanji, "xc-io", XIANGCHENG, "information_officer", ("X001", "赵敏"), "2025-01-02")
        await outlet(sanji, "wz-web", WUZHONG, "website", "wz-io", "2025-02-01")
        await outlet(sanji, "wz-wx", CHANGQIAO, "wechat_account", "wz-io", "2025-02-01")

        vacate = {"post_id": "wz-io", "unit": WUZHONG, "effective_on": "2025-07-01", "reason": "调任"}
        reply = await ok(sanji, "duty.vacate_post", vacate)
        assert len(reply.events) == 3  # PostVacated + two coverage gaps, in one transaction
        assert await event_types(duty, "outlet:wz-wx") == [
            "duty.outlet_registered",
            "duty.outlet_coverage_gap_opened",
        ]
        code, message = await refused(sanji, "duty.vacate_post", vacate)
        assert (code, message) == (
            "rejected",
            "post information_officer (wz-io) is already vacant: there is nobody to vacate",
        )

        hand_over = {
            "handover_id": "h-0001",
            "from_post_id": "wz-io",
            "unit": WUZHONG,
            "to_post_id": "xc-io",
            "effective_on": "2025-07-02",
            "reason": "工作交接",
        }
        code, message = await refused(sanji, "duty.hand_over", hand_over)
        assert "an outlet answers to a post in its own county" in message
        reply = await ok(sanji, "duty.hand_over", {**hand_over, "to_post_id": "wz-io2"})
        assert len(reply.events) == 5  # DutyHandedOver + (owner changed + gap closed) × 2
        assert await event_types(duty, "outlet:wz-web") == [
            "duty.outlet_registered",
            "duty.outlet_coverage_gap_opened",
            "duty.outlet_owner_changed",
            "duty.outlet_coverage_gap_closed",
        ]
        owners = await duty.pool.fetch("SELECT outlet_id, owner_post_id FROM duty.outlets ORDER BY 1")
        assert [tuple(row) for row in owners] == [("wz-web", "wz-io2"), ("wz-wx", "wz-io2")]


async def test_refusals_store_nothing_and_scope_and_role_are_checked(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty") as (duty,), client(nats_url) as sanji:
        await register_units(sanji)
        await post(sanji, "wz-io", WUZHONG, "information_officer", None, "2025-01-02")
        before = await duty.pool.fetchval("SELECT count(*) FROM duty.events")

        body = {
            "outlet_id": "wz-web",
            "unit": WUZHONG,
            "kind": "website",
            "name": "吴中民政",
            "owner_post_id": "wz-io",
            "effective_on": "2025-02-01",
        }
        code, message = await refused(sanji, "duty.register_outlet", body, WUZHONG_CLERK)
        assert code == "rejected"
        assert "is vacant: an outlet must answer to a post someone holds" in message
        code, _ = await refused(sanji, "duty.register_outlet", body, CHANGQIAO_ADMIN)
        assert code == "forbidden"  # wrong role and outside the township admin's scope
        code, _ = await refused(
            sanji,
            "duty.create_post",
            {"post_id": "wz-x", "unit": WUZHONG, "kind": "leader_in_charge", "title": "x"},
            WUZHONG_CLERK,
        )
        assert code == "forbidden"  # posts are structure: admins only
        code, _ = await refused(sanji, "duty.register_outlet", {**body, "colour": "red"})
        assert code == "invalid"
        assert await duty.pool.fetchval("SELECT count(*) FROM duty.events") == before
        assert await duty.pool.fetchval("SELECT count(*) FROM duty.outlets") == 0


async def test_a_merge_moves_sub_units_and_keeps_the_lookups_in_step(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty") as (duty,), client(nats_url) as sanji:
        await register_units(sanji)
        branch = "3205.320506.320506002.branch01"
        await post(sanji, "gx-branch", branch, "branch_secretary", ("G001", "周强"), "2025-01-02")
        await outlet(sanji, "gx-board", branch, "bulletin_board", "gx-branch", "2025-02-01")
        merge = {
            "absorbed": "3205.320506.320506002",
            "into": CHANGQIAO,
            "effective_on": "2025-07-01",
            "reason": "撤并",
        }
        code, _ = await refused(sanji, "duty.merge_units", merge, CHANGQIAO_ADMIN)
        assert code == "not_found"  # a township admin cannot merge townships: outside its scope
        await ok(sanji, "duty.merge_units", merge)
        units = await duty.pool.fetch(
            "SELECT path, retired FROM duty.units WHERE path LIKE '3205.320506.%' ORDER BY 1"
        )
        assert [tuple(row) for row in units] == [
            ("3205.320506.320506001", False),
            ("3205.320506.320506001.branch01", False),
            ("3205.320506.320506002", True),
            ("3205.320506.320506002.branch01", True),
            ("3205.320506.dept_office", False),
        ]
        assert await duty.pool.fetchval("SELECT unit FROM duty.posts WHERE post_id = 'gx-branch'") == (
            "3205.320506.320506001.branch01"
        )
        code, message = await refused(sanji, "duty.merge_units", merge)
        assert "was retired on 2025-07-01" in message


async def test_a_merge_sees_the_outlets_its_posts_answer_for_in_other_units(
    nats_url: str, database_url: str
) -> None:
    """Found by tests/properties/test_duty_restructure.py: the merge loaded only the outlets sitting in the
    absorbed township, so it abolished a post that still answered for an outlet next door."""
    async with running(nats_url, database_url, "duty") as (duty,), client(nats_url) as sanji:
        await register_units(sanji)
        absorbed = "3205.320506.320506002"
        await post(sanji, "gx-io", absorbed, "information_officer", ("G002", "吴刚"), "2025-01-02")
        await outlet(sanji, "cq-corner", CHANGQIAO, "reading_corner", "gx-io", "2025-02-01")
        vacate = {"post_id": "gx-io", "unit": absorbed, "effective_on": "2025-06-01", "reason": "调任"}
        await ok(sanji, "duty.vacate_post", vacate)
        merge = {"absorbed": absorbed, "into": CHANGQIAO, "effective_on": "2025-07-01", "reason": "撤并"}
        code, message = await refused(sanji, "duty.merge_units", merge)
        assert code == "rejected"
        assert "cq-corner" in message
        assert "hand them over" in message
        assert await duty.pool.fetchval("SELECT abolished FROM duty.posts WHERE post_id = 'gx-io'") is False


async def test_a_split_carves_out_a_township_with_its_sub_units(nats_url: str, database_url: str) -> None:
    async with running(nats_url, database_url, "duty") as (duty,), client(nats_url) as sanji:
        await register_units(sanji)
        branch = f"{CHANGQIAO}.branch02"
        await ok(sanji, "duty.register_unit", {"path": branch, "name": "社区党支部", "kind": "branch"})
        await post(sanji, "cq-b2", branch, "branch_secretary", ("C002", "郑洁"), "2025-01-02")
        await outlet(sanji, "cq-b2-corner", branch, "reading_corner", "cq-b2", "2025-02-01")
        split = {
            "source": CHANGQIAO,
            "new_path": "3205.320506.320506009",
            "new_name": "新设街道",
            "moved_units": [branch],
            "effective_on": "2025-08-01",
            "reason": "析出新设街道",
        }
        code, message = await refused(
            sanji, "duty.split_unit", {**split, "moved_units": [f"{WUZHONG}.dept_office"]}
        )
        assert (code, message) == ("rejected", f"{WUZHONG}.dept_office is not directly below {CHANGQIAO}")
        reply = await ok(sanji, "duty.split_unit", split)
        assert (
            len(reply.events) == 6
        )  # split, new township, branch retired + registered, post and outlet moved
        moved = "3205.320506.320506009.branch02"
        assert (
            await duty.pool.fetchval("SELECT unit FROM duty.outlets WHERE outlet_id = 'cq-b2-corner'")
            == moved
        )
        assert await event_types(duty, f"unit:{moved}") == ["duty.unit_registered"]

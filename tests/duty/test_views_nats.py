"""The duty view through NATS and PostgreSQL: who answered for what as of a date across a post
change and a township merge, a coverage gap opened by a departure and closed by a hand-over."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.eventkit.client import SanjiClient
from tests.duty.support import (
    CHANGQIAO,
    GUOXIANG,
    WUZHONG,
    FakeClock,
    answer,
    answer_or_none,
    ok,
    outlet,
    post,
    register_units,
)
from tests.helpers import wait_until
from tests.stack import client, running

NOW = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
DEPT = f"{WUZHONG}.dept_office"
OLD_BRANCH, NEW_BRANCH = f"{GUOXIANG}.branch01", f"{CHANGQIAO}.branch01"


async def wuzhong(sanji: SanjiClient) -> None:
    """吴中区: a responsibility list with named people, a website and a WeChat account."""
    await register_units(sanji)
    await post(sanji, "wz-sec", WUZHONG, "first_responsible", ("W100", "张伟"), "2024-03-01")
    await post(sanji, "wz-lg", WUZHONG, "leading_group_member", ("W101", "刘洋"), "2024-03-01")
    await post(sanji, "wz-lead", WUZHONG, "leader_in_charge", ("W102", "李强"), "2024-03-01")
    await post(sanji, "wz-head", DEPT, "department_head", ("W103", "孙丽"), "2024-03-01")
    await post(sanji, "wz-io", WUZHONG, "information_officer", ("W001", "王芳"), "2025-01-02")
    await post(sanji, "wz-io2", WUZHONG, "information_officer", ("W002", "李娜"), "2025-01-02")
    oversight = {"post_id": "wz-lead", "unit": WUZHONG, "section": DEPT, "effective_on": "2025-03-01"}
    await ok(sanji, "duty.assign_oversight", oversight)
    await outlet(sanji, "wz-web", WUZHONG, "website", "wz-io", "2025-02-01")
    await outlet(sanji, "wz-wx", WUZHONG, "wechat_account", "wz-io", "2025-02-01")


def holder(entry: dict[str, Any]) -> str | None:
    found = entry["owner"]["holder"] if "owner" in entry else entry["holder"]
    return None if found is None else str(found["person_name"])


async def test_who_answered_for_the_website_across_a_departure_and_a_hand_over(
    nats_url: str, database_url: str
) -> None:
    clock = FakeClock(NOW)
    async with running(nats_url, database_url, "duty", "projection", clock=clock), client(nats_url) as sanji:
        await wuzhong(sanji)
        leave = {"post_id": "wz-io", "unit": WUZHONG, "effective_on": "2025-07-01", "reason": "调任他处"}
        await ok(sanji, "duty.vacate_post", leave)

        async def gaps() -> list[dict[str, Any]]:
            found = await answer_or_none(sanji, "projection.duty.gaps", path=WUZHONG)
            return found["gaps"] if found else []

        await wait_until(lambda: _count(gaps, 2), message="the departure never showed as two coverage gaps")
        assert {(g["outlet_id"], g["post_id"], g["since"]) for g in await gaps()} == {
            ("wz-web", "wz-io", "2025-07-01"),
            ("wz-wx", "wz-io", "2025-07-01"),
        }
        hand_over = {
            "handover_id": "h-wz-0001",
            "from_post_id": "wz-io",
            "unit": WUZHONG,
            "to_post_id": "wz-io2",
            "effective_on": "2025-07-03",
            "reason": "信息宣传员工作交接",
        }
        await ok(sanji, "duty.hand_over", hand_over)
        await wait_until(lambda: _count(gaps, 0), message="the hand-over never closed the gaps")

        async def website(on: str) -> str | None:
            found = await answer(sanji, "projection.duty.outlets", path=WUZHONG, kind="website", as_of=on)
            (site,) = found["outlets"]
            return holder(site)

        assert await website("2025-06-30") == "王芳"
        assert await website("2025-07-02") is None  # the gap: the owning post was vacant
        assert await website("2025-07-03") == "李娜"
        early = await answer(
            sanji, "projection.duty.outlets", path=WUZHONG, kind="website", as_of="2025-01-31"
        )
        assert early["outlets"] == []

        summary = await answer(sanji, "projection.duty.unit", path=WUZHONG)
        assert summary["own"]["posts"] == {"filled": 4, "vacant": 1}  # the department head sits below
        assert summary["own"]["coverage_gaps"] == 0
        assert summary["own"]["outlets"]["by_kind"] == {
            "website": {"active": 1},
            "wechat_account": {"active": 1},
        }
        city = await answer(sanji, "projection.duty.unit", path="3205")
        assert city["subtree"]["posts"] == {"filled": 5, "vacant": 1}
        assert city["own"]["posts"] == {"filled": 0, "vacant": 0}

        listed = await answer(sanji, "projection.duty.responsibility_list", path=WUZHONG, as_of="2025-06-30")
        people = {level["duty"]: [holder(p) for p in level["posts"]] for level in listed["levels"]}
        assert people == {
            "principal_responsibility": ["刘洋"],
            "first_responsible": ["张伟"],
            "leader_in_charge": ["李强"],
            "department_head": ["孙丽"],
        }
        (leader,) = listed["levels"][2]["posts"]
        assert leader["oversees"] == [{"path": DEPT, "name": "办公室"}]
        assert sorted(holder(p) or "-" for p in listed["information_officers"]) == ["李娜", "王芳"]
        assert {(o["outlet_id"], holder(o)) for o in listed["outlets"]} == {
            ("wz-web", "王芳"),
            ("wz-wx", "王芳"),
        }


async def _count(gaps: Any, expected: int) -> bool:
    return len(await gaps()) == expected


async def test_the_tree_and_the_lists_as_of_dates_across_a_township_merge(
    nats_url: str, database_url: str
) -> None:
    clock = FakeClock(NOW)
    async with running(nats_url, database_url, "duty", "projection", clock=clock), client(nats_url) as sanji:
        await wuzhong(sanji)
        await post(sanji, "gx-sec", GUOXIANG, "first_responsible", ("G100", "吴磊"), "2024-06-01")
        await post(sanji, "gx-branch", OLD_BRANCH, "branch_secretary", ("G101", "周强"), "2025-01-02")
        await outlet(sanji, "gx-board", OLD_BRANCH, "bulletin_board", "gx-branch", "2025-02-01")
        leave = {"post_id": "gx-sec", "unit": GUOXIANG, "effective_on": "2025-08-31", "reason": "撤并前离任"}
        await ok(sanji, "duty.vacate_post", leave)
        merge = {
            "absorbed": GUOXIANG,
            "into": CHANGQIAO,
            "effective_on": "2025-09-01",
            "reason": "郭巷街道撤并入长桥街道",
        }
        await ok(sanji, "duty.merge_units", merge)

        async def merged() -> bool:
            found = await answer_or_none(sanji, "projection.unit", path=GUOXIANG)
            return bool(found and found["retired_on"] == "2025-09-01")

        await wait_until(merged, message="the unit view never showed the merge")
        unit_view = await answer(sanji, "projection.unit", path=GUOXIANG)
        assert unit_view["successor"] == CHANGQIAO

        async def tree(on: str) -> list[str]:
            found = await answer(sanji, "projection.duty.tree", path=WUZHONG, as_of=on)
            return [unit["path"] for unit in found["units"]]

        await wait_until(
            lambda: _has(tree("2025-09-15"), NEW_BRANCH), message="the moved branch never showed"
        )
        assert await tree("2025-08-15") == [WUZHONG, CHANGQIAO, GUOXIANG, OLD_BRANCH, DEPT]
        assert await tree("2025-09-15") == [WUZHONG, CHANGQIAO, NEW_BRANCH, DEPT]

        before = await answer(sanji, "projection.duty.responsibility_list", path=GUOXIANG, as_of="2025-08-15")
        people = {
            level["duty"]: [(p["unit"], holder(p)) for p in level["posts"]] for level in before["levels"]
        }
        assert people["first_responsible"] == [(GUOXIANG, "吴磊")]
        assert people["department_head"] == [(OLD_BRANCH, "周强")]
        assert [(o["outlet_id"], o["unit"], holder(o)) for o in before["outlets"]] == [
            ("gx-board", OLD_BRANCH, "周强")
        ]
        after = await answer(sanji, "projection.duty.responsibility_list", path=CHANGQIAO, as_of="2025-09-15")
        people = {
            level["duty"]: [(p["unit"], holder(p)) for p in level["posts"]] for level in after["levels"]
        }
        assert people["department_head"] == [(NEW_BRANCH, "周强")]
        assert [o["unit"] for o in after["outlets"]] == [NEW_BRANCH]

        gone = await sanji.query(
            "projection.duty.responsibility_list", {"path": GUOXIANG, "as_of": "2025-09-15"}
        )
        assert gone["error"] == {
            "code": "not_found",
            "message": f"unit {GUOXIANG} was retired on 2025-09-01; it continues as {CHANGQIAO}",
            "fields": [],
        }
        not_yet = await sanji.query("projection.duty.tree", {"path": NEW_BRANCH, "as_of": "2025-08-15"})
        assert not_yet["error"]["message"] == f"unit {NEW_BRANCH} did not exist yet on 2025-08-15"


async def _has(found: Any, path: str) -> bool:
    return path in await found

"""duty.register_outlets through NATS and PostgreSQL: each row registered by register_outlet's rules
with a per-row report, the same batch sent again changes nothing, and the outlets show in the view."""

from __future__ import annotations

from typing import Any

from tests.duty.support import WUZHONG, XIANGCHENG, answer, ok, post, refused, register_units
from tests.helpers import wait_until
from tests.stack import client, running


def outlet_row(number: int, outlet_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "row": number,
        "outlet_id": outlet_id,
        "unit": WUZHONG,
        "kind": "website",
        "name": f"{outlet_id} 阵地",
        "owner_post_id": "wz-io",
        "effective_on": "2025-02-01",
    }
    return body | changes


async def test_outlets_are_registered_in_bulk_with_a_per_row_report_once(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "projection") as (duty, _), client(nats_url) as sanji:
        await register_units(sanji)
        await post(sanji, "wz-io", WUZHONG, "information_officer", ("W001", "王芳"), "2025-01-02")
        await post(sanji, "wz-vacant", WUZHONG, "information_officer", None, "2025-01-02")
        single = {k: v for k, v in outlet_row(1, "wz-old").items() if k != "row"}
        await ok(sanji, "duty.register_outlet", single | {"name": "旧网站"})
        rows = [
            outlet_row(2, "wz-web"),
            outlet_row(3, "wz-wx", kind="wechat_account"),
            outlet_row(4, "wz-bad", owner_post_id="wz-vacant"),  # nobody holds the post
            outlet_row(5, "wz-odd", kind="billboard_of_sorts"),  # refused at the door
            outlet_row(6, "wz-old", name="另一个网站"),  # taken by another outlet
            outlet_row(7, "wz-old") | {"name": "旧网站"},  # already registered just so
            outlet_row(8, "xc-web", unit=XIANGCHENG),  # outside the batch's unit
        ]
        body = {"unit": WUZHONG, "rows": rows}
        reply = await ok(sanji, "duty.register_outlets", body)
        result = reply.result or {}
        assert (result["imported"], result["duplicate"], result["failed"]) == (2, 1, 4)
        fields = {r["row"]: [e["field"] for e in r.get("errors", [])] for r in result["rows"]}
        assert fields[4] == ["owner_post_id"]
        assert fields[5] == ["kind"]
        assert fields[6] == ["outlet_id"]
        assert fields[8] == ["unit"]
        assert {r["row"]: r["status"] for r in result["rows"]}[7] == "duplicate"
        before = await duty.pool.fetchval("SELECT count(*) FROM duty.events")

        again = await ok(sanji, "duty.register_outlets", body)  # a new command id: decided afresh
        again_result = again.result or {}
        assert (again_result["imported"], again_result["duplicate"], again_result["failed"]) == (0, 3, 4)
        assert await duty.pool.fetchval("SELECT count(*) FROM duty.events") == before

        code, _ = await refused(sanji, "duty.register_outlets", {"unit": "3205", "rows": []})
        assert code == "invalid"  # an empty batch is refused as a whole

        async def listed() -> set[str]:
            found = await answer(sanji, "projection.duty.outlets", path=WUZHONG, as_of="2025-03-01")
            return {o["outlet_id"] for o in found["outlets"]}

        await wait_until(
            lambda: _eq(listed, {"wz-old", "wz-web", "wz-wx"}), message="the view never showed the outlets"
        )


async def _eq(found: Any, expected: set[str]) -> bool:
    return bool(await found() == expected)


def post_row(
    number: int, post_id: str, kind: str, holder: tuple[str, str] | None, **changes: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"row": number, "post_id": post_id, "unit": WUZHONG, "kind": kind, "title": kind}
    if holder:
        body["holder"] = {"staff_no": holder[0], "person_name": holder[1], "since": "2025-01-02"}
    return body | changes


async def test_a_responsibility_list_is_registered_in_bulk_with_a_per_row_report_once(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "projection") as (duty, _), client(nats_url) as sanji:
        await register_units(sanji)
        rows = [
            post_row(2, "wz-sec", "first_responsible", ("W100", "张伟")),
            post_row(3, "wz-io", "information_officer", ("W001", "王芳")),
            post_row(4, "wz-io2", "information_officer", None),  # vacant
            post_row(5, "wz-sec2", "first_responsible", ("W105", "赵敏")),  # a second first responsible
            post_row(6, "wz-sec3", "branch_secretary", None),  # a county office has no branch secretary
            post_row(7, "wz-late", "information_officer", ("W002", "李娜"), effective_on="2025-03-01"),
            post_row(8, "wz-x", "information_officer", ("W003", "钱")) | {"holder": {"staff_no": "W003"}},
            post_row(9, "xc-io", "information_officer", None, unit=XIANGCHENG),  # outside the batch's unit
        ]
        rows[5]["holder"]["since"] = "2025-02-01"  # filled before the post existed
        body = {"unit": WUZHONG, "rows": rows}
        reply = await ok(sanji, "duty.register_posts", body)
        result = reply.result or {}
        assert (result["imported"], result["duplicate"], result["failed"]) == (3, 0, 5)
        fields = {r["row"]: [e["field"] for e in r.get("errors", [])] for r in result["rows"]}
        assert fields[5] == ["kind"]
        assert fields[6] == ["kind"]
        assert fields[7] == ["holder.since"]
        assert set(fields[8]) == {"holder.person_name", "holder.since"}
        assert fields[9] == ["unit"]
        before = await duty.pool.fetchval("SELECT count(*) FROM duty.events")

        again = await ok(sanji, "duty.register_posts", body)  # a new command id: decided afresh
        again_result = again.result or {}
        assert (again_result["imported"], again_result["duplicate"], again_result["failed"]) == (0, 3, 5)
        assert await duty.pool.fetchval("SELECT count(*) FROM duty.events") == before

        async def counted() -> bool:
            summary = await answer(sanji, "projection.duty.unit", path=WUZHONG)
            return bool(summary["own"]["posts"] == {"filled": 2, "vacant": 1})

        await wait_until(counted, message="the view never counted the posts")

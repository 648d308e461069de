"""A rectification through NATS and PostgreSQL: its deadline counts working days across National Day,
the durable timer flags it overdue (with a fake clock), closing needs evidence and a leader."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.duty.support import (
    CHANGQIAO,
    CITY,
    WUZHONG,
    WUZHONG_CLERK,
    FakeClock,
    answer,
    answer_or_none,
    ok,
    outlet,
    post,
    refused,
    register_units,
)
from tests.helpers import wait_until
from tests.stack import client, running

OPENED = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai, the eve of National Day
DUE = "2025-10-11T15:59:59+00:00"  # end of Sat 11 Oct (a make-up workday): 9, 10 and 11 Oct count
PHOTO = {"description": "整改后公众号页面截图", "reference": "IMG_1011.jpg"}


async def test_a_rectification_goes_overdue_across_the_holiday(nats_url: str, database_url: str) -> None:
    clock = FakeClock(OPENED)
    async with (
        running(nats_url, database_url, "duty", "projection", clock=clock) as (duty, _),
        client(nats_url) as sanji,
    ):
        await register_units(sanji)
        await post(sanji, "wz-io", WUZHONG, "information_officer", ("W001", "王芳"), "2025-01-02")
        await outlet(sanji, "cq-wx", CHANGQIAO, "wechat_account", "wz-io", "2025-02-01")
        inspection = {
            "inspection_id": "insp-2025-09",
            "unit": WUZHONG,
            "inspected_on": "2025-09-29",
            "inspector": "区委宣传部 联合检查组",
            "outlets_checked": ["cq-wx"],
            "findings": [
                {
                    "finding_id": "f1",
                    "outlet_id": "cq-wx",
                    "item": "stale_content",
                    "description": "三个月未更新",
                },
                {
                    "finding_id": "f2",
                    "outlet_id": "cq-wx",
                    "item": "improper_wording",
                    "description": "提法不规范",
                },
            ],
        }
        await ok(sanji, "duty.record_inspection", inspection, WUZHONG_CLERK)
        for rectification_id, finding_id in (("rect-1", "f1"), ("rect-2", "f2")):
            body = {
                "rectification_id": rectification_id,
                "inspection_id": "insp-2025-09",
                "finding_id": finding_id,
                "unit": WUZHONG,
                "workdays": 3,
                "instructions": "更新内容并建立每周更新机制",
            }
            await ok(sanji, "duty.open_rectification", body, WUZHONG_CLERK)
        code, message = await refused(
            sanji, "duty.open_rectification", {**body, "rectification_id": "rect-3"}
        )
        assert (code, message) == ("conflict", "finding f2 already has rectification rect-2")

        close = {"rectification_id": "rect-2", "unit": WUZHONG, "summary": "已整改"}
        code, _ = await refused(
            sanji, "duty.close_rectification", {**close, "evidence": [PHOTO]}, WUZHONG_CLERK
        )
        assert code == "forbidden"  # closing is a leader's sign-off
        code, message = await refused(sanji, "duty.close_rectification", close)
        assert "cannot be closed without evidence" in message
        await ok(sanji, "duty.close_rectification", {**close, "evidence": [PHOTO]})

        async def rectifications(state: str = "all") -> dict[str, dict[str, Any]]:
            found = await answer_or_none(sanji, "projection.duty.rectifications", path=WUZHONG, state=state)
            return {r["rectification_id"]: r for r in found["rectifications"]} if found else {}

        await wait_until(
            lambda: _state(rectifications, "rect-2", "closed"), message="rect-2 never showed closed"
        )
        opened = (await rectifications())["rect-1"]
        assert (opened["due_at"], opened["deadline_estimated"], opened["unit"]) == (DUE, False, CHANGQIAO)

        assert duty.timer_runner is not None
        clock.now = datetime(2025, 10, 10, 4, 0, tzinfo=UTC)  # Friday after the holiday: not due yet
        await duty.timer_runner.fire_due()
        clock.now = datetime(2025, 10, 11, 16, 0, 1, tzinfo=UTC)  # just past the end of the make-up Saturday
        await duty.timer_runner.fire_due()  # the background runner may have fired it first: either is fine
        await wait_until(
            lambda: _state(rectifications, "rect-1", "overdue"), message="rect-1 never went overdue"
        )
        assert set(await rectifications("overdue")) == {"rect-1"}
        stored = [e.envelope.type for e in await duty.store.read_stream("rectification:rect-1")]
        assert stored == ["duty.rectification_opened", "duty.rectification_overdue"]
        assert [e.envelope.type for e in await duty.store.read_stream("rectification:rect-2")] == [
            "duty.rectification_opened",
            "duty.rectification_closed",  # closed in time: its timer was cancelled, never fired
        ]

        township = await answer(sanji, "projection.duty.unit", path=CHANGQIAO)
        assert township["own"]["rectifications"] == {"open": 1, "overdue": 1, "closed": 1, "closed_late": 0}
        county = await answer(sanji, "projection.duty.unit", path=WUZHONG)
        assert (county["own"]["inspections"], county["own"]["findings"]) == (1, 2)
        assert county["own"]["rectifications"]["open"] == 0  # they belong to the outlet's township
        assert county["subtree"]["rectifications"]["overdue"] == 1

        evidence = {"rectification_id": "rect-1", "unit": WUZHONG, "evidence": [PHOTO]}
        await ok(sanji, "duty.add_rectification_evidence", evidence, WUZHONG_CLERK)
        await ok(
            sanji,
            "duty.close_rectification",
            {"rectification_id": "rect-1", "unit": WUZHONG, "summary": "已整改"},
            CITY,
        )
        await wait_until(lambda: _state(rectifications, "rect-1", "closed"), message="rect-1 never closed")
        assert (await rectifications())["rect-1"]["late"] is True
        inspections = await answer(sanji, "projection.duty.inspections", path=CHANGQIAO)
        assert inspections["inspections"] == []  # recorded at the county, which inspected its subtree
        inspections = await answer(sanji, "projection.duty.inspections", path=WUZHONG)
        states = {
            f["finding_id"]: f["rectification_state"] for f in inspections["inspections"][0]["findings"]
        }
        assert states == {"f1": "closed", "f2": "closed"}


async def _state(rectifications: Any, rectification_id: str, state: str) -> bool:
    found = await rectifications()
    return rectification_id in found and found[rectification_id]["state"] == state

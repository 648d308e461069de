"""The bureau's recurring duties through NATS and PostgreSQL, read back from the duty view: an outlet
overdue against the city's cadence and one on time, an office's half-yearly report on time while the
others' deadline timers flag theirs overdue (and arm the next half-year's), a social organization's
coverage and inspection; who may set a cadence, and for which unit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts.commands import Actor, Role
from tests.duty.support import (
    CHANGQIAO,
    CITY_PATH,
    GUOXIANG,
    WUZHONG,
    WUZHONG_CLERK,
    XIANGCHENG,
    FakeClock,
    answer,
    ok,
    outlet,
    post,
    refused,
    register_units,
)
from tests.helpers import wait_until
from tests.stack import client, running

NOW = datetime(2025, 7, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 July 2025, 10:00 in Shanghai
ORG = f"{WUZHONG}.org01"
NEW_TOWN = f"{WUZHONG}.320506009"
XIANGCHENG_CLERK = Actor(id="clerk@320507", scope=XIANGCHENG, roles=frozenset({Role.CLERK}))
WUZHONG_ADMIN = Actor(id="admin@320506", scope=WUZHONG, roles=frozenset({Role.ADMIN}))
# 2025-H1 ends on Mon 30 June: the tenth working day after is Mon 14 July, due at its end.
H1_DUE = "2025-07-14T15:59:59+00:00"


def cadence(kind: str, months: int, unit: str = CITY_PATH, on: str = "2025-06-01") -> dict[str, Any]:
    return {"unit": unit, "kind": kind, "months": months, "effective_on": on}


async def test_overdue_outlets_reports_and_social_organizations_in_the_duty_view(
    nats_url: str, database_url: str
) -> None:
    clock = FakeClock(NOW)
    async with (
        running(nats_url, database_url, "duty", "projection", clock=clock) as (duty, _),
        client(nats_url) as sanji,
    ):
        await register_units(sanji)
        await ok(
            sanji,
            "duty.register_unit",
            {"path": ORG, "name": "吴中区慈善总会", "kind": "social_organization"},
        )
        # Only the city's admin sets a cadence, and only for the city; a county's admin cannot reach it.
        as_clerk = await refused(sanji, "duty.set_inspection_cadence", cadence("website", 1), WUZHONG_CLERK)
        assert as_clerk[0] == "forbidden"
        for_county = await refused(
            sanji, "duty.set_inspection_cadence", cadence("website", 1, WUZHONG), WUZHONG_ADMIN
        )
        assert for_county == (
            "rejected",
            "吴中区民政局 (3205.320506) is not the city bureau: inspection cadences are set by the city",
        )
        above = await refused(sanji, "duty.set_inspection_cadence", cadence("website", 1), WUZHONG_ADMIN)
        assert above[0] == "not_found"
        # Another county's clerk cannot record 吴中区's report or its organization's coverage.
        report = {"unit": WUZHONG, "half_year": "2025-H1", "reported_to": "中共吴中区委宣传部"}
        assert (await refused(sanji, "duty.record_half_year_report", report, XIANGCHENG_CLERK))[
            0
        ] == "not_found"
        coverage = {"unit": ORG, "coverage": "liaison", "effective_on": "2025-06-01"}
        assert (await refused(sanji, "duty.set_party_coverage", coverage, XIANGCHENG_CLERK))[0] == "not_found"
        await ok(sanji, "duty.set_inspection_cadence", cadence("website", 1))
        await ok(sanji, "duty.set_inspection_cadence", cadence("wechat_account", 3, on="2025-02-01"))
        await post(sanji, "wz-io", WUZHONG, "information_officer", ("W001", "王芳"), "2025-01-02")
        await outlet(sanji, "wz-web", WUZHONG, "website", "wz-io", "2025-02-01")
        await outlet(sanji, "wz-wx", WUZHONG, "wechat_account", "wz-io", "2025-02-01")
        inspection = {
            "inspection_id": "insp-1",
            "unit": WUZHONG,
            "inspected_on": "2025-06-10",
            "inspector": "区民政局",
            "outlets_checked": ["wz-web"],
        }
        await ok(sanji, "duty.record_inspection", inspection, WUZHONG_CLERK)
        await ok(sanji, "duty.record_half_year_report", report, WUZHONG_CLERK)
        await ok(sanji, "duty.set_party_coverage", coverage, WUZHONG_CLERK)
        checked = {
            "inspection_id": "so-1",
            "unit": ORG,
            "inspected_on": "2025-06-20",
            "inspector": "区民政局",
        }
        await ok(sanji, "duty.record_organization_inspection", checked, WUZHONG_CLERK)

        async def records() -> dict[str, Any]:
            return await answer(sanji, "projection.duty.records", path=WUZHONG, as_of="2025-07-01")

        async def all_shown() -> bool:
            found = await records()
            return (
                len(found["organizations"]) == 1
                and found["organizations"][0]["inspections"] == 1
                and any(r["reported_at"] for r in found["reports"])
            )

        await wait_until(all_shown, message="the records never showed in the duty view")
        found = await records()
        assert found["cadences"] == {"website": 1, "wechat_account": 3}
        outlets = {
            o["outlet_id"]: (o["last_inspected_on"], o["due_on"], o["overdue"]) for o in found["outlets"]
        }
        assert outlets == {
            "wz-web": ("2025-06-10", "2025-07-10", False),
            "wz-wx": (None, "2025-05-01", True),  # never inspected: three months from its registration
        }
        states = {(r["unit"], r["half_year"]): r["state"] for r in found["reports"]}
        offices = (WUZHONG, CHANGQIAO, GUOXIANG)
        assert states == {
            **{(unit, "2024-H2"): "overdue" for unit in offices},
            **{(unit, "2025-H1"): "pending" for unit in offices},
            (WUZHONG, "2025-H1"): "on_time",
            **{(unit, "2025-H2"): "pending" for unit in offices},
        }
        assert [(o["unit"], o["coverage"], o["last_inspected_on"]) for o in found["organizations"]] == [
            (ORG, "liaison", "2025-06-20")
        ]
        assert found["counts"] == {
            "outlets_overdue": 1,
            "reports_overdue": 3,
            "organizations": 1,
            "organizations_covered": 0,
        }
        before = await answer(sanji, "projection.duty.records", path=WUZHONG, as_of="2025-04-30")
        assert before["cadences"] == {"wechat_account": 3}  # versioned: the website's holds from 1 June
        assert [(o["outlet_id"], o["due_on"], o["overdue"]) for o in before["outlets"]] == [
            ("wz-web", None, False),
            ("wz-wx", "2025-05-01", False),
        ]

        assert duty.timer_runner is not None
        clock.now = datetime(2025, 7, 14, 15, 0, tzinfo=UTC)  # 23:00 on the last working day: not due
        await duty.timer_runner.fire_due()
        clock.now = datetime(2025, 7, 14, 16, 0, 1, tzinfo=UTC)
        await duty.timer_runner.fire_due()  # the background runner may have fired them first

        async def flagged() -> set[str]:
            found = await answer(sanji, "projection.duty.records", path=WUZHONG, as_of="2025-07-15")
            return {r["unit"] for r in found["reports"] if r["half_year"] == "2025-H1" and r["overdue_at"]}

        await wait_until(lambda: _equal(flagged, {CHANGQIAO, GUOXIANG}), message="the timers never flagged")
        found = await answer(sanji, "projection.duty.records", path=WUZHONG, as_of="2025-07-15")
        h1 = {r["unit"]: (r["state"], r["due_at"]) for r in found["reports"] if r["half_year"] == "2025-H1"}
        assert h1 == {
            WUZHONG: ("on_time", H1_DUE),
            CHANGQIAO: ("overdue", H1_DUE),
            GUOXIANG: ("overdue", H1_DUE),
        }
        stored = [
            e.envelope.type for e in await duty.store.read_stream(f"half_year_report:{CHANGQIAO}:2025-H1")
        ]
        assert stored == ["duty.half_year_report_overdue"]
        assert await duty.store.read_stream(f"half_year_report:{WUZHONG}:2025-H1") != []
        next_timer = await duty.pool.fetchval(
            "SELECT due_at FROM duty.timers WHERE timer_id = $1", f"report-overdue:{CHANGQIAO}:2025-H2"
        )
        assert next_timer == datetime(2026, 1, 15, 15, 59, 59, tzinfo=UTC)  # New Year holiday skipped

        # Every office registered, by a split too, owes reports from the next deadline on; nobody else.
        split = {
            "source": GUOXIANG,
            "new_path": NEW_TOWN,
            "new_name": "郭巷新区街道",
            "effective_on": "2025-07-15",
            "reason": "区划调整",
        }
        await ok(sanji, "duty.split_unit", split)
        armed = await duty.pool.fetch(
            "SELECT timer_id FROM duty.timers WHERE kind = 'duty.half_year_report_overdue' AND fired_at IS NULL"
        )
        assert {row["timer_id"] for row in armed} == {
            f"report-overdue:{unit}:2025-H2"
            for unit in (CITY_PATH, WUZHONG, XIANGCHENG, CHANGQIAO, GUOXIANG, NEW_TOWN)
        }


async def _equal(check: Any, expected: set[str]) -> bool:
    return bool(await check() == expected)

"""Offices registered before the half-yearly report timers existed: the duty service arms their missing
deadline timers when it starts — once, however often it starts — so an old office's unmade report is
flagged overdue at the deadline like a new office's, and the next half-year's timer follows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.duty.support import (
    CHANGQIAO,
    CITY_PATH,
    GUOXIANG,
    UNITS,
    WUZHONG,
    WUZHONG_CLERK,
    FakeClock,
    ok,
    register_units,
)
from tests.helpers import wait_until
from tests.stack import client, running

NOW = datetime(2025, 7, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 July 2025: the 2025-H1 report is due 14 July
AFTER_H1_DUE = datetime(2025, 7, 14, 16, 0, 1, tzinfo=UTC)
SECTION = f"{CITY_PATH}.dept01"
PENDING = (
    "SELECT timer_id, due_at, created_at FROM duty.timers"
    " WHERE kind = 'duty.half_year_report_overdue' AND fired_at IS NULL ORDER BY timer_id"
)
OFFICES = [path for path, _, kind in UNITS if kind in {"bureau", "county_office", "township_office"}]


async def test_offices_without_report_timers_get_them_armed_on_start_and_flagged_overdue(
    nats_url: str, database_url: str
) -> None:
    clock = FakeClock(NOW)
    async with running(nats_url, database_url, "duty", clock=clock) as [duty], client(nats_url) as sanji:
        await register_units(sanji)
        await ok(sanji, "duty.register_unit", {"path": SECTION, "name": "办公室", "kind": "department"})
        # As an older deployment has them: offices registered, no report timer anywhere.
        await duty.pool.execute("DELETE FROM duty.timers WHERE kind = 'duty.half_year_report_overdue'")

    async with running(nats_url, database_url, "duty", clock=clock) as [duty]:
        armed = await duty.pool.fetch(PENDING)
    # Every office, none of the sections, for the next deadline (2025-H1, due 14 July).
    assert [row["timer_id"] for row in armed] == sorted(f"report-overdue:{path}:2025-H1" for path in OFFICES)
    assert {row["due_at"] for row in armed} == {datetime(2025, 7, 14, 15, 59, 59, tzinfo=UTC)}

    async with running(nats_url, database_url, "duty", clock=clock) as [duty], client(nats_url) as sanji:
        assert await duty.pool.fetch(PENDING) == armed  # started again: nothing armed twice or moved
        report = {"unit": WUZHONG, "half_year": "2025-H1", "reported_to": "中共吴中区委宣传部"}
        await ok(sanji, "duty.record_half_year_report", report, WUZHONG_CLERK)
        assert duty.timer_runner is not None
        clock.now = AFTER_H1_DUE
        await duty.timer_runner.fire_due()  # the background runner may have fired some first

        async def flagged() -> set[str]:
            found = set()
            for path in (CHANGQIAO, GUOXIANG, WUZHONG):
                stream = await duty.store.read_stream(f"half_year_report:{path}:2025-H1")
                if "duty.half_year_report_overdue" in [e.envelope.type for e in stream]:
                    found.add(path)
            return found

        await wait_until(
            lambda: _equal(flagged, {CHANGQIAO, GUOXIANG}), message="the old offices never flagged"
        )
        expected = sorted(f"report-overdue:{path}:2025-H2" for path in OFFICES)

        async def next_armed() -> bool:
            return [row["timer_id"] for row in await duty.pool.fetch(PENDING)] == expected

        await wait_until(next_armed, message="the next half-year's timers were never armed")


async def _equal(check: Any, expected: set[str]) -> bool:
    return bool(await check() == expected)

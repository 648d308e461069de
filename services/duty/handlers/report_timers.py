"""The deadline timers of the half-yearly reports: every office gets one when it is registered (through
register, merge or split alike: Session.commit arms it for each UnitRegistered it appends), for the next
deadline to come; when it fires (records.flag_report_overdue) it arms the next half-year's. Offices
registered before these timers existed get theirs when the duty service starts (arm_missing_report_timers),
once: the next deadline to come, as a newly registered office would."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from contracts.duty import UnitRegistered
from services.duty import tables
from services.duty.domain.common import Change, report_key
from services.duty.domain.records import owes_reports
from services.duty.domain.units import OFFICE_KINDS, Unit, evolve_unit
from services.eventkit.db import Conn
from services.eventkit.dues import HalfYear, next_report, report_due
from services.eventkit.timers import Timer, schedule

if TYPE_CHECKING:
    from services.eventkit.runtime import ServiceRuntime

log = logging.getLogger(__name__)
REPORT_TIMER = "duty.half_year_report_overdue"


async def arm_report_timer(conn: Conn, unit: Unit, half: HalfYear) -> None:
    """The deadline timer of ``unit``'s report on ``half`` (nothing for a unit that owes none)."""
    if owes_reports(unit) and unit.path is not None:
        await schedule_report_timer(conn, unit.path, half)


async def schedule_report_timer(conn: Conn, path: str, half: HalfYear) -> None:
    payload = {"unit": path, "half_year": half.label}
    timer_id = f"report-overdue:{report_key(path, half.label)}"
    await schedule(conn, tables.SCHEMA, Timer(timer_id, REPORT_TIMER, report_due(half).due_at, payload))


async def arm_missing_report_timers(runtime: ServiceRuntime) -> None:
    """Every active office without a report timer still to fire gets one for the next deadline. Idempotent
    (an office with a pending timer is left alone; arming is an upsert by timer id), so running it on every
    start, in several processes at once, arms each missing timer exactly once."""
    async with runtime.pool.acquire() as conn, conn.transaction():
        paths = await tables.offices_without_timer(conn, sorted(OFFICE_KINDS), REPORT_TIMER)
        half = next_report(runtime.clock())
        for path in paths:
            await schedule_report_timer(conn, path, half)
    if paths:
        log.info(
            "armed missing half-year report timers", extra={"offices": len(paths), "half_year": half.label}
        )


async def arm_for_registered(conn: Conn, changes: Sequence[Change], now: datetime) -> None:
    for decided in changes:
        for event in decided.events:
            if isinstance(event, UnitRegistered):
                await arm_report_timer(conn, evolve_unit(Unit(), event), next_report(now))

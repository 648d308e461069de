"""The deadline timers of the half-yearly reports: every office gets one when it is registered (through
register, merge or split alike: Session.commit arms it for each UnitRegistered it appends), for the next
deadline to come; when it fires (records.flag_report_overdue) it arms the next half-year's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contracts.duty import UnitRegistered
from services.duty import tables
from services.duty.domain.common import Change, report_key
from services.duty.domain.records import owes_reports
from services.duty.domain.units import Unit, evolve_unit
from services.eventkit.db import Conn
from services.eventkit.dues import HalfYear, next_report, report_due
from services.eventkit.timers import Timer, schedule

REPORT_TIMER = "duty.half_year_report_overdue"


async def arm_report_timer(conn: Conn, unit: Unit, half: HalfYear) -> None:
    """The deadline timer of ``unit``'s report on ``half`` (nothing for a unit that owes none)."""
    if owes_reports(unit) and unit.path is not None:
        payload = {"unit": unit.path, "half_year": half.label}
        timer_id = f"report-overdue:{report_key(unit.path, half.label)}"
        await schedule(conn, tables.SCHEMA, Timer(timer_id, REPORT_TIMER, report_due(half).due_at, payload))


async def arm_for_registered(conn: Conn, changes: Sequence[Change], now: datetime) -> None:
    for decided in changes:
        for event in decided.events:
            if isinstance(event, UnitRegistered):
                await arm_report_timer(conn, evolve_unit(Unit(), event), next_report(now))

"""The summary's figures of the bureau's recurring duties (duty_obligations.py): outlets inspected on time
or overdue against their kind's cadence, the offices' half-yearly reports, and social organizations with
their party coverage. States (on time, registered, coverage) are taken on the period's last day, or today
while the period runs; reports count the half-years that end in the period, as they stand now."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.envelope import utc_now
from services.eventkit.db import Conn
from services.eventkit.dues import half_years_ending
from services.eventkit.localtime import local_date
from services.projection.duty_obligations import organizations, outlet_inspections, report_obligations
from services.projection.summary_figures import Asked, Figures, figure


def state_day(asked: Asked) -> date:
    return min(asked.period.last_day, local_date(utc_now()))


async def inspection_cadence(conn: Conn, asked: Asked) -> Figures:
    day = state_day(asked)
    outlets = [o for o in await outlet_inspections(conn, asked.path, day) if o["months"] is not None]
    overdue = sum(o["overdue"] for o in outlets)
    link = asked.link("duty.records", period=None, as_of=day.isoformat())
    return [
        figure("outlets", "inspection_on_time", len(outlets) - overdue, link, additive=False),
        figure("outlets", "inspection_overdue", overdue, link, additive=False),
    ]


async def half_year_reports(conn: Conn, asked: Asked) -> Figures:
    halves = half_years_ending(*asked.days)
    reports = await report_obligations(conn, asked.path, halves, utc_now()) if halves else []
    states = [report["state"] for report in reports]
    link = asked.link("duty.records", period=None, as_of=asked.period.last_day.isoformat())
    return [
        figure("half_year_reports", "reports_due", len(reports), link),
        *[
            figure("half_year_reports", f"reports_{state}", states.count(state), link)
            for state in ("on_time", "late", "overdue", "pending")
        ],
    ]


async def social_organizations(conn: Conn, asked: Asked) -> Figures:
    day = state_day(asked)
    found = await organizations(conn, asked.path, asked.period.first_day, day)
    covered = sum(o["coverage"] == "party_organization" for o in found)
    link = asked.link("duty.records", period=None, as_of=day.isoformat())
    rate = round(100 * covered / len(found), 1) if found else None

    def state(name: str, value: float | None) -> dict[str, Any]:
        return figure("social_organizations", name, value, link, additive=False)

    return [
        state("registered", len(found)),
        state("with_party_organization", covered),
        state("with_liaison", sum(o["coverage"] == "liaison" for o in found)),
        state("coverage_rate", rate),
        state("organizations_inspected", sum(o["inspections"] > 0 for o in found)),
        figure("social_organizations", "inspections", sum(o["inspections"] for o in found), link),
    ]

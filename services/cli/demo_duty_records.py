"""The recurring duties of `sanji demo`: the city's inspection cadence per outlet kind, this year's
inspections of each county's outlets (相城区's never came, 吴江区's only in May, so overdue outlets show),
every office's half-yearly reports to the higher party organization (a few late, a few never made), and
three social organizations per county with their party coverage and inspections.

Deterministic (fixed seeds, idempotency keys); dates lie before the demo's last day, and anything older
than BACKDATE_DAYS says why, as a clerk filling in the register would (补录)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from services.cli.demo import SEED, Seeder, Unit
from services.cli.demo_duty import Command, duty_plan, short

REASON = "半年汇报及检查台账补录"
CADENCES = {  # months between inspections, per outlet kind, from the first day of 2026
    "website": 3,
    "wechat_account": 3,
    "video_account": 3,
    "internal_publication": 6,
    "bulletin_board": 6,
    "electronic_screen": 6,
    "reading_corner": 12,
    "lecture_hall": 12,
}
# The day each county's outlets were inspected this year (相城区 320507: not yet).
INSPECTED = {"320505": "2026-09-15", "320506": "2026-10-12", "320508": "2026-08-20", "320509": "2026-05-10"}
CITY_INSPECTED = "2026-10-20"
# (half-year, its deadline's local day, the first day reports came in)
HALVES = [("2025-H2", 15, "2026-01-05"), ("2026-H1", 14, "2026-07-01")]
ORGANIZATIONS = [("so01", "慈善总会"), ("so02", "志愿者协会"), ("so03", "养老服务行业协会")]
COVERAGE = ["party_organization", "liaison", "none"]


def running_outlets(units: list[Unit]) -> dict[str, list[str]]:
    """The demo's outlets still running, by unit (from the duty plan, less those it closes)."""
    commands = list(duty_plan(units).commands())
    closed = {
        b["outlet_id"] for n, b, _ in commands if n == "duty.change_outlet_status" and b["status"] == "closed"
    }
    found: dict[str, list[str]] = {}
    for name, body, _ in commands:
        if name == "duty.register_outlet" and body["outlet_id"] not in closed:
            found.setdefault(body["unit"], []).append(body["outlet_id"])
    return found


def inspections(units: list[Unit]) -> list[Command]:
    outlets = running_outlets(units)
    city = next(u.path for u in units if u.kind == "bureau")
    plans = [(city, CITY_INSPECTED, outlets.get(city, []))]
    for unit in (u for u in units if u.kind == "county_office"):
        day = INSPECTED.get(unit.path.rsplit(".", 1)[-1])
        if day:
            below = [o for path, ids in outlets.items() if path.startswith(f"{unit.path}.") for o in ids]
            plans.append((unit.path, day, outlets.get(unit.path, []) + below))
    return [
        (
            "duty.record_inspection",
            {
                "inspection_id": f"demo-records-{path}",
                "unit": path,
                "inspected_on": day,
                "inspector": "市民政局宣传教育处" if path == city else "区民政局办公室",
                "outlets_checked": checked,
            },
            f"demo-records-inspection-{path}",
        )
        for path, day, checked in plans
        if checked
    ]


def reports(units: list[Unit]) -> list[Command]:
    """Every office on each half-year: most within a week of the deadline's day, one in six a day after
    it (late), one in eight never (overdue)."""
    found: list[Command] = []
    for unit in (u for u in units if u.kind in ("bureau", "county_office", "township_office")):
        rng = random.Random(f"{SEED}:reports:{unit.path}")  # noqa: S311 - demo data, not secrets
        for half, due_day, first in HALVES:
            draw = rng.random()
            if draw < 1 / 8:
                continue
            day = due_day + 1 if draw < 1 / 8 + 1 / 6 else rng.randint(int(first[-2:]), due_day)
            moment = f"{first[:8]}{day:02d}T{rng.choice((9, 10, 15, 16)):02d}:00:00+08:00"
            body = {
                "unit": unit.path,
                "half_year": half,
                "reported_to": "中共苏州市委宣传部"
                if unit.kind == "bureau"
                else f"中共{short(unit.name)}委宣传部",
                "occurred_at": moment,
                "backdate_reason": REASON,
            }
            found.append(("duty.record_half_year_report", body, f"demo-records-report-{unit.path}-{half}"))
    return found


def organizations(units: list[Unit]) -> tuple[list[Command], list[Command]]:
    """Three social organizations per county (registered first), then their coverage and inspections."""
    registered: list[Command] = []
    records: list[Command] = []
    for county in (u for u in units if u.kind == "county_office"):
        for number, (code, name) in enumerate(ORGANIZATIONS):
            path = f"{county.path}.{code}"
            rng = random.Random(f"{SEED}:organizations:{path}")  # noqa: S311 - demo data, not secrets
            unit = {"path": path, "name": f"{short(county.name)}{name}", "kind": "social_organization"}
            registered.append(("duty.register_unit", unit, f"demo-records-unit-{path}"))
            coverage = COVERAGE[(number + rng.randint(0, 2)) % 3]
            if coverage == "party_organization" and rng.random() < 0.5:  # a liaison first, then a branch
                liaison = {"unit": path, "coverage": "liaison", "effective_on": "2026-02-01"}
                records.append(("duty.set_party_coverage", liaison, f"demo-records-liaison-{path}"))
            if coverage != "none":
                since = "2026-06-01" if records and records[-1][1]["unit"] == path else "2026-01-01"
                body = {"unit": path, "coverage": coverage, "effective_on": since}
                records.append(("duty.set_party_coverage", body, f"demo-records-coverage-{path}"))
            for visit in range(rng.randint(0, 2)):
                inspection = {
                    "inspection_id": f"demo-so-{code}-{visit + 1}",
                    "unit": path,
                    "inspected_on": f"2026-{rng.randint(3, 10):02d}-{rng.randint(1, 28):02d}",
                    "inspector": f"{short(county.name)}民政局社会组织管理科",
                }
                records.append(
                    ("duty.record_organization_inspection", inspection, f"demo-records-so-{path}-{visit + 1}")
                )
    return registered, records


def records_plan(units: list[Unit]) -> list[list[Command]]:
    """Phases: cadences, organizations registered; then inspections, reports, coverage."""
    cadences = [
        (
            "duty.set_inspection_cadence",
            {"unit": units[0].path, "kind": kind, "months": months, "effective_on": "2026-01-01"},
            f"demo-records-cadence-{kind}",
        )
        for kind, months in CADENCES.items()
    ]
    registered, records = organizations(units)
    return [[*cadences, *registered], [*inspections(units), *reports(units), *records]]


async def seed_duty_records(seeder: Seeder, units: list[Unit], echo: Any) -> int:
    """Send the plan through the gateway, phase after phase; within a phase in any order, except that
    an organization's coverage changes keep their order (the second may not precede the first)."""
    phases = records_plan(units)
    total = 0
    for phase in phases:
        ordered = [c for c in phase if c[0] == "duty.set_party_coverage"]
        await asyncio.gather(*(seeder.send(n, b, k) for n, b, k in phase if n != "duty.set_party_coverage"))
        for name, body, key in ordered:
            await seeder.send(name, body, key)
        total += len(phase)
    echo(f"duty records: {total} commands (cadences, inspections, half-yearly reports, social organizations)")
    return total

"""The demo's outreach year: valid against the contracts, deterministic, never in the future."""

from __future__ import annotations

from datetime import date

from contracts.outreach import ActivityRow, LogActivities, SetTarget
from services.cli.demo import demo_units
from services.cli.demo_outreach import demo_targets, ledger_rows

TODAY = date(2026, 11, 23)


def test_targets_cover_every_unit_and_fit_the_contract() -> None:
    units = demo_units()
    targets = demo_targets(units, 2026)
    for target in targets:
        SetTarget.model_validate(target)
    assert {t["unit"] for t in targets} == {u.path for u in units}


def test_the_ledger_is_a_believable_deterministic_year() -> None:
    units = demo_units()
    rows = ledger_rows(units, TODAY)
    assert rows == ledger_rows(units, TODAY)
    assert len({row["external_id"] for row in rows}) == len(rows)
    for row in rows:
        ActivityRow.model_validate(row)
    months = {row["held_on"][:7] for row in rows}
    assert months == {f"2026-{m:02d}" for m in range(1, 11)}
    bureau_sessions = [r for r in rows if r["unit"] == "3205" and r["kind"] == "central_group_study"]
    assert 7 <= len(bureau_sessions) <= 10  # monthly, with the odd month missed
    LogActivities(source="demo-ledger", unit="3205", rows=rows[:500])


def test_the_ledger_stops_at_today() -> None:
    early = date(2026, 3, 10)
    assert max(row["held_on"] for row in ledger_rows(demo_units(), early)) <= early.isoformat()

"""The demo city's data: valid against the contracts, deterministic, and plausible."""

from __future__ import annotations

from datetime import date

from contracts.duty import RegisterUnit
from contracts.outreach import ActivityKind, LogActivity
from contracts.units import parent_of
from services.cli.demo import AUDIENCE, check_rollup, demo_activities, demo_units

TODAY = date(2026, 11, 23)


def test_units_are_valid_and_every_parent_comes_first() -> None:
    units = demo_units()
    seen: set[str] = set()
    for unit in units:
        RegisterUnit.model_validate({"path": unit.path, "name": unit.name, "kind": unit.kind})
        parent = parent_of(unit.path)
        assert parent is None or parent in seen
        seen.add(unit.path)
    counties = [u for u in units if u.kind == "county_office"]
    assert [u.path for u in counties] == [f"3205.32050{n}" for n in range(5, 10)]
    for county in counties:
        townships = [u for u in units if parent_of(u.path) == county.path and u.kind == "township_office"]
        assert 3 <= len(townships) <= 5
    assert {"3205.dept_office", "3205.dept_welfare"} <= {u.path for u in units if u.kind == "department"}
    assert ("3205.320506.320506001", "长桥街道") in {(u.path, u.name) for u in units}


def test_activities_are_valid_deterministic_and_in_the_past() -> None:
    units = demo_units()
    activities = demo_activities(units, 300, TODAY)
    assert activities == demo_activities(units, 300, TODAY)
    assert activities[:40] == demo_activities(units, 40, TODAY)  # a smaller run is a prefix
    assert len({a["activity_id"] for a in activities}) == 300
    for activity in activities:
        command = LogActivity.model_validate(activity)
        assert date(2026, 1, 1) <= command.held_on <= date(2026, 10, 31)
        low, high = AUDIENCE[command.kind]
        assert low <= command.audience <= high
    assert {a["kind"] for a in activities} == {kind.value for kind in ActivityKind}
    assert {a["held_on"][:7] for a in activities} == {f"2026-{m:02d}" for m in range(1, 11)}


def test_activities_are_never_in_the_future() -> None:
    early = date(2026, 3, 15)
    assert all(a["held_on"] <= early.isoformat() for a in demo_activities(demo_units(), 100, early))


def test_rollup_check_reads_own_children_and_subtree() -> None:
    city = {
        "own": {"activities": 2},
        "subtree": {"activities": 7},
        "children": [{"subtree": {"activities": 3}}, {"subtree": {"activities": 2}}],
    }
    assert check_rollup(city) == (7, 2, 5)

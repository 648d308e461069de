"""The demo's outreach year: valid against the contracts, deterministic, never in the future."""

from __future__ import annotations

from datetime import date

from contracts.occurrence import BACKDATE_DAYS
from contracts.outreach import ActivityRow, LogActivities, SetTarget
from contracts.outreach_meetings import MeetingKind, MeetingRow, RecordMeetings, SetMeetingTarget
from contracts.outreach_records import RecordAward, RecordFieldSurvey
from contracts.outreach_taxonomy import DefineActivitySubtype
from services.cli.demo import demo_units
from services.cli.demo_meetings import award_bodies, meeting_rows, meeting_targets, survey_bodies
from services.cli.demo_outreach import SUBTYPES, demo_targets, ledger_rows

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


def test_the_meetings_register_fits_the_contract_and_gives_reasons_for_back_filled_rows() -> None:
    rows = meeting_rows(demo_units(), TODAY)
    assert rows == meeting_rows(demo_units(), TODAY)
    assert len({row["external_id"] for row in rows}) == len(rows)
    for row in rows:
        MeetingRow.model_validate(row)
    kinds = {row["facts"]["kind"] for row in rows}
    assert kinds == {kind.value for kind in MeetingKind}
    old = [row for row in rows if (TODAY - date.fromisoformat(row["facts"]["held_on"])).days > BACKDATE_DAYS]
    assert old
    assert all(row["facts"].get("backdate_reason") for row in old)
    RecordMeetings(source="demo-register", unit="3205", rows=rows[:500])


def test_the_ledger_uses_only_subtypes_the_demo_defines_for_their_kind() -> None:
    defined = {(kind, subtype) for kind, subtype, _ in SUBTYPES}
    for kind, subtype, name in SUBTYPES:
        DefineActivitySubtype(unit="3205", kind=kind, subtype=subtype, name=name)
    named = {(row["kind"], row["subtype"]) for row in ledger_rows(demo_units(), TODAY) if row["subtype"]}
    assert named
    assert named <= defined


def test_the_surveys_and_awards_fit_the_contracts() -> None:
    units = demo_units()
    surveys, awards = survey_bodies(units, TODAY), award_bodies(units, TODAY)
    assert surveys
    assert awards
    for body in surveys:
        RecordFieldSurvey.model_validate(body)
    for body in awards:
        RecordAward.model_validate(body)
    assert award_bodies(units, date(2026, 3, 1)) == []  # not before the day the city gives them


def test_the_meeting_targets_fit_the_contract() -> None:
    goals = meeting_targets(demo_units(), 2026)
    assert goals
    for goal in goals:
        SetMeetingTarget.model_validate(goal)

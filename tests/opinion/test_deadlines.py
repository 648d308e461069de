"""Deadlines in working days across the National Day holiday and a make-up Saturday, and the overdue
ladder: chase → supervision by the level above → escalation while still overdue (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts.opinion import (
    ChaseIssued,
    DeadlineKind,
    Limit,
    OpinionAcknowledged,
    OpinionEscalated,
    OpinionOverdue,
    SupervisionStarted,
)
from services.eventkit.localtime import SHANGHAI
from services.opinion.domain import Case
from services.opinion.domain.deadlines import (
    DEADLINE_TIMER,
    LADDER_TIMER,
    decide_deadline_missed,
    decide_ladder_step,
    due_after,
    wanted_timers,
)
from tests.opinion.builders import (
    CITY,
    COUNTY,
    NOW,
    TOWN,
    acknowledged,
    assigned,
    closed,
    fold,
    severity_limits,
)

ACK = DeadlineKind.ACKNOWLEDGE


def local(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(UTC)


def test_working_day_limits_skip_the_holiday_and_count_the_make_up_saturday() -> None:
    case = assigned(severity="IV")  # graded and dispatched Wed 30 Sep, 10:00 local
    due = {kind: clock.due_at for kind, clock in case.deadlines.items()}
    assert due[ACK] == local(8, 23, 59, 59)  # 1–7 Oct are off
    assert due[DeadlineKind.FIRST_RESPONSE] == local(9, 23, 59, 59)
    assert due[DeadlineKind.CLOSE] == local(10, 23, 59, 59)  # Saturday 10 Oct is a 调休 workday
    assert not any(clock.estimated for clock in case.deadlines.values())


def test_an_unknown_years_deadline_is_marked_estimated() -> None:
    due = due_after(datetime(2030, 12, 30, 2, 0, tzinfo=UTC), Limit(workdays=1))
    assert due.estimated
    assert not due_after(NOW, Limit(hours=3)).estimated


def test_a_missed_deadline_is_chased_and_starts_the_ladder() -> None:
    limits = severity_limits("IV")
    case = assigned(severity="IV")
    assert decide_deadline_missed(case, ACK, local(8, 23, 0), limits) == []  # not yet
    fired_at = local(9, 0, 30)
    overdue, chase = decide_deadline_missed(case, ACK, fired_at, limits)
    assert isinstance(overdue, OpinionOverdue)
    assert isinstance(chase, ChaseIssued)
    assert (overdue.deadline, overdue.unit, overdue.due_at) == (ACK, TOWN, local(8, 23, 59, 59))
    assert (chase.to_unit, chase.by_unit) == (TOWN, COUNTY)
    assert "签收时限（2026-10-08 23:59）已过" in chase.message
    # Supervision waits one working day: Saturday 10 Oct counts, so the end of that day.
    assert overdue.next_step_at == local(10, 23, 59, 59)
    case = fold(case, [overdue, chase])
    assert case.overdue() == [ACK]
    assert decide_deadline_missed(case, ACK, fired_at, limits) == []  # fires once


def test_a_second_missed_deadline_does_not_start_a_second_ladder() -> None:
    limits = severity_limits("IV")
    case = fold(
        assigned(severity="IV"), decide_deadline_missed(assigned(severity="IV"), ACK, local(9, 0, 30), limits)
    )
    overdue, _ = decide_deadline_missed(case, DeadlineKind.FIRST_RESPONSE, local(10, 0, 30), limits)
    assert isinstance(overdue, OpinionOverdue)
    assert overdue.next_step_at is None
    assert fold(case, [overdue]).ladder_at == local(10, 23, 59, 59)


def test_the_ladder_climbs_township_county_city_while_overdue() -> None:
    limits = severity_limits("II")  # hours: supervise after 2 h, escalate after 4 h
    case = assigned(severity="II")
    missed_at = NOW + timedelta(hours=2, minutes=1)
    case = fold(case, decide_deadline_missed(case, ACK, missed_at, limits))
    assert case.ladder_at == missed_at + timedelta(hours=2)
    assert decide_ladder_step(case, missed_at + timedelta(hours=1), limits) == []  # not yet
    (supervision,) = decide_ladder_step(case, case.ladder_at, limits)
    assert isinstance(supervision, SupervisionStarted)
    assert (supervision.supervisor, supervision.automatic) == (COUNTY, True)
    assert supervision.reason == "逾期未办：签收"
    case = fold(case, [supervision])
    assert case.ladder_at == missed_at + timedelta(hours=6)
    (escalation,) = decide_ladder_step(case, case.ladder_at, limits)
    assert isinstance(escalation, OpinionEscalated)
    assert (escalation.from_unit, escalation.to_unit, escalation.automatic) == (COUNTY, CITY, True)
    assert escalation.next_step_at is None  # the city is the top
    case = fold(case, [escalation])
    assert (case.supervisor, case.ladder_at, case.assignee) == (CITY, None, TOWN)
    assert decide_ladder_step(case, case.ladder_at or NOW + timedelta(days=9), limits) == []


def test_a_county_handler_is_supervised_by_the_city_and_the_ladder_ends_there() -> None:
    limits = severity_limits("II")
    case = assigned(to=COUNTY, severity="II")
    case = fold(case, decide_deadline_missed(case, ACK, NOW + timedelta(hours=3), limits))
    (supervision,) = decide_ladder_step(case, NOW + timedelta(hours=5), limits)
    assert isinstance(supervision, SupervisionStarted)
    assert (supervision.supervisor, supervision.next_step_at) == (CITY, None)


def test_meeting_the_deadline_stops_the_ladder() -> None:
    limits = severity_limits("II")
    case = acknowledged(severity="II")  # acknowledged in time: nothing to fire
    assert decide_deadline_missed(case, ACK, NOW + timedelta(hours=3), limits) == []
    late = assigned(severity="II")
    late = fold(late, decide_deadline_missed(late, ACK, NOW + timedelta(hours=3), limits))
    assert late.ladder_at is not None
    late = fold(late, [OpinionAcknowledged(case_id=late.case_id, unit=TOWN)])
    assert (late.overdue(), late.ladder_at) == ([], None)
    assert decide_ladder_step(late, NOW + timedelta(days=1), limits) == []


def test_wanted_timers_follow_the_case() -> None:
    limits = severity_limits("II")
    case = assigned(severity="II")
    timers = wanted_timers(case)
    assert sorted(t.payload["deadline"] for t in timers.values()) == [
        "acknowledge",
        "close",
        "first_response",
    ]
    assert {t.kind for t in timers.values()} == {DEADLINE_TIMER}
    missed = fold(case, decide_deadline_missed(case, ACK, NOW + timedelta(hours=3), limits))
    after = wanted_timers(missed)
    assert len(after) == 3
    assert {t.kind for t in after.values()} == {DEADLINE_TIMER, LADDER_TIMER}
    assert not any(t.payload.get("deadline") == "acknowledge" for t in after.values())
    assert wanted_timers(closed()) == {}
    assert wanted_timers(Case()) == {}
